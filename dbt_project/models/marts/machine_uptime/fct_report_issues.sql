{#
    Each import is read by one CTE only: DuckDB materializes a CTE that is read twice,
    which here would copy whole tables on every query of this view.
#}

with

invalid_raw_reports as (
    select * from {{ ref('stg_factory__run_reports') }}
    where not is_valid
),

future_dated_raw_reports as (
    select * from {{ ref('stg_factory__run_reports') }}
    where is_valid and is_future_dated
),

duplicate_reports as (
    select * from {{ ref('stg_factory__run_reports') }}
    where is_duplicate
),

unpaired_timeline_reports as (
    select * from {{ ref('int_run_reports_sequenced') }}
    where report_role in ('missing_stop', 'missing_start')
),

-- the timeline does not carry the time as sent: unpaired reports look theirs up here
raw_reports_as_sent as (
    select * from {{ ref('stg_factory__run_reports') }}
),

invalid_rows as (
    select
        {{ raw_row_id('ingest_date', 'source_file', 'line_number') }} as raw_row_id,
        'invalid_row' as issue_type,
        invalid_reason as issue_detail,
        report_id,
        branch_id,
        machine_id,
        report_type,
        reported_time_text,
        line_number,
        reported_at,
        source_file,
        landed_at,
        _built_at
    from invalid_raw_reports
),

duplicates as (
    select
        {{ raw_row_id('ingest_date', 'source_file', 'line_number') }} as raw_row_id,
        'duplicate' as issue_type,
        duplicate_reason as issue_detail,
        report_id,
        branch_id,
        machine_id,
        report_type,
        reported_time_text,
        line_number,
        reported_at,
        source_file,
        landed_at,
        _built_at
    from duplicate_reports
),

unpaired_reports as (
    select
        {{ raw_row_id('unpaired.ingest_date', 'unpaired.source_file', 'unpaired.line_number') }}
            as raw_row_id,
        unpaired.report_role as issue_type,
        case
            when unpaired.report_role = 'missing_stop'
                then 'next report is the start ' || unpaired.next_report_id
            when unpaired.prev_reported_at is null
                then 'first report of the machine is a stop'
            else
                'previous report is the stop at '
                || cast(unpaired.prev_reported_at as varchar) || ' UTC'
        end as issue_detail,
        unpaired.report_id,
        unpaired.branch_id,
        unpaired.machine_id,
        unpaired.report_type,
        -- a lookup of one row, planned from the few unpaired rows of the query
        (
            select as_sent.reported_time_text
            from raw_reports_as_sent as as_sent
            where
                as_sent.ingest_date = unpaired.ingest_date
                and as_sent.source_file = unpaired.source_file
                and as_sent.line_number = unpaired.line_number
        ) as reported_time_text,
        unpaired.line_number,
        unpaired.reported_at,
        unpaired.source_file,
        unpaired.landed_at,
        unpaired._built_at
    from unpaired_timeline_reports as unpaired
),

future_dated as (
    select
        *,
        'reported for ' || cast(reported_at as varchar) || ' UTC, but landed at '
        || cast(landed_at as varchar) || ' UTC' as clock_detail
    from future_dated_raw_reports
),

future_dated_reports as (
    select
        {{ raw_row_id('ingest_date', 'source_file', 'line_number') }} as raw_row_id,
        'future_time' as issue_type,
        clock_detail as issue_detail,
        report_id,
        branch_id,
        machine_id,
        report_type,
        reported_time_text,
        line_number,
        reported_at,
        source_file,
        landed_at,
        _built_at
    from future_dated
),

issues as (
    select * from invalid_rows
    union all
    select * from duplicates
    union all
    select * from unpaired_reports
    union all
    select * from future_dated_reports
),

keyed_issues as (
    select
        *,
        raw_row_id || '/' || issue_type as issue_id
    from issues
),

final as (
    select
        issue_id,
        issue_type,
        issue_detail,
        report_id,
        branch_id,
        machine_id,
        report_type,
        reported_time_text,
        cast(line_number as bigint) as line_number,
        reported_at,
        source_file,
        landed_at,
        _built_at
    from keyed_issues
)

select * from final
