{#
    Each row of `model` that links to a previous or next row (`prev_column`, `next_column`
    hold the linked row's `column_name`) is linked back by that row of `to` (the whole
    relation the links point into), which exists. So no link points to a lost row, and no
    two rows link to the same next or previous row: every chain is unbroken.

    The test reads the rows a build wrote (`model`, filtered by the test's `where`) and
    looks their links up in `to`. A full refresh wrote every row, so it pairs the whole
    relation with itself once, on both links at a time, and fails rows left unpaired.
#}
{% test links_point_both_ways(model, column_name, prev_column, next_column, to) %}

{% if flags.FULL_REFRESH %}

    select
        coalesce(linking.{{ column_name }}, linked.{{ column_name }}) as {{ column_name }},
        case
            when linked.{{ column_name }} is null then 'next link not returned'
            else 'previous link not returned'
        end as failure
    from (select * from {{ model }}) as linking
    full outer join (select * from {{ model }}) as linked
        on
            linking.{{ next_column }} = linked.{{ column_name }}
            and linked.{{ prev_column }} = linking.{{ column_name }}
    where
        (linked.{{ column_name }} is null and linking.{{ next_column }} is not null)
        or (linking.{{ column_name }} is null and linked.{{ prev_column }} is not null)

{% else %}

    select
        linking.{{ column_name }},
        'next link not returned' as failure
    from (select * from {{ model }}) as linking
    left join {{ to }} as linked
        on linking.{{ next_column }} = linked.{{ column_name }}
    where
        linking.{{ next_column }} is not null
        and (
            linked.{{ prev_column }} is null
            or linked.{{ prev_column }} != linking.{{ column_name }}
        )

    union all

    select
        linked.{{ column_name }},
        'previous link not returned' as failure
    from (select * from {{ model }}) as linked
    left join {{ to }} as linking
        on linked.{{ prev_column }} = linking.{{ column_name }}
    where
        linked.{{ prev_column }} is not null
        and (
            linking.{{ next_column }} is null
            or linking.{{ next_column }} != linked.{{ column_name }}
        )

{% endif %}

{% endtest %}
