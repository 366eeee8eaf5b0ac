{{
    config(
        unique_key='raw_row_id',
    )
}}

{% set floor = newest_landing_dates_floor() if is_incremental() else none %}
{% set raw_files = unbuilt_raw_files(this, floor) %}

with

raw_lines as (
    select
        id,
        type,
        time,
        branch_id,
        machine_id,
        extra_fields,
        ingest_date,
        {{ raw_file_columns() }}
    from {{ raw_reports_in_files(source('factory', 'run_reports'), raw_files) }}
    {% if is_incremental() %}
        -- a literal, so that Athena prunes the raw partitions before reading them
        where ingest_date >= '{{ floor }}'
    {% endif %}
),

named as (
    select
        type,
        time,
        branch_id,
        machine_id,
        extra_fields,
        ingest_date,
        landed_at,
        line_number,
        -- a byte-order mark begins the first line of some files
        case when starts_with(id, chr(65279)) then substr(id, 2) else id end as id,
        regexp_replace(source_file_path, '^.*/', '') as source_file
    from raw_lines
),

new_lines as (
    select * from named
    {% if is_incremental() %}
        where source_file not in (
            select distinct built.source_file from {{ this }} as built
            where built.ingest_date >= cast('{{ floor }}' as date)
        )
    {% endif %}
),

trimmed as (
    select
        {{ trim_whitespace('id') }} as id,
        lower({{ trim_whitespace('type') }}) as report_type,
        {{ trim_whitespace('time') }} as reported_time_text,
        {{ trim_whitespace('branch_id') }} as branch_id,
        {{ trim_whitespace('machine_id') }} as machine_id,
        extra_fields,
        case
            when extra_fields is not null
                then 5 + length(extra_fields) - length(replace(extra_fields, ',', ''))
            else
                (case when id is null then 0 else 1 end)
                + (case when type is null then 0 else 1 end)
                + (case when time is null then 0 else 1 end)
                + (case when branch_id is null then 0 else 1 end)
                + (case when machine_id is null then 0 else 1 end)
        end as field_count,
        ingest_date,
        source_file,
        landed_at,
        line_number
    from new_lines
),

report_lines as (
    -- a blank line has one empty field; a header names the first two fields
    -- (each case looks at the id only when the first test says it may have to)
    select * from trimmed
    where
        case when field_count = 1 then coalesce(id, '') != '' else true end
        and case when report_type = 'type' then coalesce(lower(id), '') != 'id' else true end
),

parsed as (
    select
        *,
        {{ parse_iso8601_utc('reported_time_text') }} as reported_at
    from report_lines
),

validated as (
    select
        *,
        case
            when field_count != 5 then 'wrong_field_count'
            when coalesce(id, '') = '' then 'missing_id'
            when coalesce(branch_id, '') = '' then 'missing_branch_id'
            when coalesce(machine_id, '') = '' then 'missing_machine_id'
            when coalesce(report_type, '') not in ('start', 'stop') then 'unknown_type'
            when reported_at is null then 'unparsable_time'
        end as invalid_reason
    from parsed
),

final as (
    select
        {{ raw_row_id('ingest_date', 'source_file', 'line_number') }} as raw_row_id,
        nullif(id, '') as report_id,
        nullif(branch_id, '') as branch_id,
        nullif(machine_id, '') as machine_id,
        nullif(report_type, '') as report_type,
        reported_time_text,
        invalid_reason,
        field_count,
        line_number,
        invalid_reason is null as is_valid,
        -- flagged, not dropped: the machine's clock may be wrong, the report is still kept
        coalesce(
            reported_at > landed_at + interval '{{ var("future_tolerance_hours") }}' hour, false
        ) as is_future_dated,
        cast(ingest_date as date) as ingest_date,
        reported_at,
        source_file,
        landed_at,
        {{ build_timestamp() }} as _built_at
    from validated
)

select * from final
