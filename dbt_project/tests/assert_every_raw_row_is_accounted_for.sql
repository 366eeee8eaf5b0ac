{#
    Nothing is lost: every report line of the raw zone (not blank, not a header) is a
    kept report, a duplicate or an invalid row, exactly once. Returns a row on mismatch.
#}

with

raw_lines as (
    select
        {{ trim_whitespace("replace(id, chr(65279), '')") }} as id,
        lower({{ trim_whitespace('type') }}) as report_type,
        type is null and extra_fields is null as is_single_field
    from {{ source('factory', 'run_reports') }}
),

report_lines as (
    select count(*) as raw_rows
    from raw_lines
    where
        not (coalesce(id, '') = '' and is_single_field)
        and not (lower(id) = 'id' and report_type = 'type')
),

outcomes as (
    select
        (
            select count(*) from {{ ref('int_run_reports_sequenced') }}
        ) as kept_rows,
        (
            select count(*) from {{ ref('int_run_reports_deduplicated') }}
            where is_duplicate
        ) as duplicate_rows,
        (
            select count(*) from {{ ref('stg_factory__run_reports') }}
            where not is_valid
        ) as invalid_rows
),

final as (
    select
        report_lines.raw_rows,
        outcomes.kept_rows,
        outcomes.duplicate_rows,
        outcomes.invalid_rows
    from report_lines
    cross join outcomes
    where
        report_lines.raw_rows
        != outcomes.kept_rows + outcomes.duplicate_rows + outcomes.invalid_rows
)

select * from final
