{#
    Each row of `model` that links to a previous or next row is linked back by that row
    of `to` (the whole relation the links point into), which exists. So no link points to
    a lost row, and no two rows link to the same next or previous row: every chain is
    unbroken.

    A row is named by its `key_columns` within its `partition_by` group; a link names the
    linked row by the same columns with a `prev_` or `next_` prefix (all null: no link).

    The test reads the rows a build wrote (`model`, filtered by the test's `where`) and
    looks their links up in `to`. A full refresh wrote every row, so it checks the whole
    relation instead: it pairs it with itself once, on both links at a time, and fails
    rows left unpaired.
#}
{% test links_point_both_ways(model, partition_by, key_columns, to) %}

{%- set first_key = key_columns[0] -%}
{#- has_link['<alias>.<side>']: the row has that link, that is any of its columns is set
    (a link set only in part then fails the lookup) -#}
{%- set has_link = {} -%}
{%- for alias in ['linking', 'linked', 'linking_rows'] -%}
    {%- for side in ['prev', 'next'] -%}
        {%- set terms = [] -%}
        {%- for column in key_columns -%}
            {%- do terms.append(alias ~ '.' ~ side ~ '_' ~ column ~ ' is not null') -%}
        {%- endfor -%}
        {%- do has_link.update({alias ~ '.' ~ side: '(' ~ terms | join(' or ') ~ ')'}) -%}
    {%- endfor -%}
{%- endfor -%}

{% if flags.FULL_REFRESH %}

    select
        {% for column in partition_by + key_columns -%}
            coalesce(linking.{{ column }}, linked.{{ column }}) as {{ column }},
        {% endfor -%}
        case
            when linked.{{ first_key }} is null then 'next link not returned'
            else 'previous link not returned'
        end as failure
    from {{ to }} as linking
    full outer join {{ to }} as linked
        on
            {% for column in partition_by -%}
                linking.{{ column }} = linked.{{ column }}
                and {% endfor -%}
            {% for column in key_columns -%}
                linking.next_{{ column }} = linked.{{ column }}
                and linked.prev_{{ column }} = linking.{{ column }}
                {%- if not loop.last %} and {% endif %}
            {% endfor %}
    where
        (linked.{{ first_key }} is null and {{ has_link['linking.next'] }})
        or (linking.{{ first_key }} is null and {{ has_link['linked.prev'] }})

{% else %}

    with

    linking_rows as (
        select
            {{ (partition_by + key_columns) | join(', ') }},
            {% for column in key_columns -%}
                prev_{{ column }},
                next_{{ column }}{% if not loop.last %},{% endif %}
            {% endfor %}
        from {{ model }}
    ),

    linked_keys as (
        {% for side in ['next', 'prev'] %}
            select
                {{ partition_by | join(', ') }},
                {% for column in key_columns -%}
                    {{ side }}_{{ column }} as {{ column }}{% if not loop.last %},{% endif %}
                {% endfor %}
            from linking_rows
            where {{ has_link['linking_rows.' ~ side] }}
            {% if not loop.last %}union{% endif %}
        {% endfor %}
    ),

    -- one pass over the whole relation's first key column, for the rows linked to
    linked_rows as (
        select
            {{ (partition_by + key_columns) | join(', ') }},
            {% for column in key_columns -%}
                prev_{{ column }},
                next_{{ column }}{% if not loop.last %},{% endif %}
            {% endfor %}
        from {{ to }}
        where {{ first_key }} in (select linked_keys.{{ first_key }} from linked_keys)
    ),

    {% for side, other in [('next', 'prev'), ('prev', 'next')] %}
        {{ side }}_failures as (
            select
                {% for column in partition_by + key_columns -%}
                    linking_rows.{{ column }},
                {% endfor -%}
                '{{ "next" if side == "next" else "previous" }} link not returned' as failure
            from linking_rows
            left join linked_rows
                on
                    {% for column in partition_by -%}
                        linking_rows.{{ column }} = linked_rows.{{ column }}
                        and {% endfor -%}
                    {% for column in key_columns -%}
                        linking_rows.{{ side }}_{{ column }} = linked_rows.{{ column }}
                        {%- if not loop.last %} and {% endif %}
                    {% endfor %}
            where
                {{ has_link['linking_rows.' ~ side] }}
                and (
                    linked_rows.{{ first_key }} is null
                    {% for column in key_columns -%}
                        or linked_rows.{{ other }}_{{ column }}
                        is distinct from linking_rows.{{ column }}
                    {% endfor %}
                )
        ){% if loop.first %},{% endif %}
    {% endfor %}

    select * from next_failures
    union all
    select * from prev_failures

{% endif %}

{% endtest %}

