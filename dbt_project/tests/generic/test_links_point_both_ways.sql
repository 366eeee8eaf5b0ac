{#
    Each row of `model` that links to a previous or next row (`prev_column`, `next_column`
    hold the linked row's `column_name`) is linked back by that row of `to` (the whole
    relation the links point into), which exists. So no link points to a lost row, and no
    two rows link to the same next or previous row: every chain is unbroken.

    The test reads the rows a build wrote (`model`, filtered by the test's `where`) and
    looks their links up in `to`. A full refresh wrote every row, so it checks the whole
    relation instead: it pairs it with itself once, on both links at a time, and fails
    rows left unpaired.
#}
{% test links_point_both_ways(model, column_name, prev_column, next_column, to) %}

{% if flags.FULL_REFRESH %}

    select
        coalesce(linking.{{ column_name }}, linked.{{ column_name }}) as {{ column_name }},
        case
            when linked.{{ column_name }} is null then 'next link not returned'
            else 'previous link not returned'
        end as failure
    from {{ to }} as linking
    full outer join {{ to }} as linked
        on
            linking.{{ next_column }} = linked.{{ column_name }}
            and linked.{{ prev_column }} = linking.{{ column_name }}
    where
        (linked.{{ column_name }} is null and linking.{{ next_column }} is not null)
        or (linking.{{ column_name }} is null and linked.{{ prev_column }} is not null)

{% else %}

    with

    linking_rows as (
        select
            {{ column_name }} as row_key,
            {{ prev_column }} as prev_key,
            {{ next_column }} as next_key
        from {{ model }}
    ),

    linked_keys as (
        select next_key as row_key from linking_rows
        where next_key is not null
        union
        select prev_key as row_key from linking_rows
        where prev_key is not null
    ),

    -- one pass over the whole relation, for the rows linked to
    linked_rows as (
        select
            {{ column_name }} as row_key,
            {{ prev_column }} as prev_key,
            {{ next_column }} as next_key
        from {{ to }}
        where {{ column_name }} in (select linked_keys.row_key from linked_keys)
    ),

    next_failures as (
        select
            linking_rows.row_key,
            'next link not returned' as failure
        from linking_rows
        left join linked_rows
            on linking_rows.next_key = linked_rows.row_key
        where
            linking_rows.next_key is not null
            and (
                linked_rows.prev_key is null
                or linked_rows.prev_key != linking_rows.row_key
            )
    ),

    prev_failures as (
        select
            linking_rows.row_key,
            'previous link not returned' as failure
        from linking_rows
        left join linked_rows
            on linking_rows.prev_key = linked_rows.row_key
        where
            linking_rows.prev_key is not null
            and (
                linked_rows.next_key is null
                or linked_rows.next_key != linking_rows.row_key
            )
    )

    select row_key as {{ column_name }}, failure from next_failures
    union all
    select row_key as {{ column_name }}, failure from prev_failures

{% endif %}

{% endtest %}
