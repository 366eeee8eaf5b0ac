with

raw_reports as (
    select * from {{ ref('stg_factory__run_reports') }}
),

deduplicated_reports as (
    select * from {{ ref('int_run_reports_deduplicated') }}
),

timeline as (
    select * from {{ ref('int_run_reports_sequenced') }}
),

invalid_rows as (
    select
        raw_row_id,
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
        landed_at
    from raw_reports
    where not is_valid
),

duplicates as (
    select
        raw_row_id,
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
        landed_at
    from deduplicated_reports
    where is_duplicate
),

unpaired_reports as (
    select
        deduplicated_reports.raw_row_id,
        timeline.report_role as issue_type,
        case
            when timeline.report_role = 'missing_stop'
                then 'next report is the start ' || timeline.next_report_id
            when timeline.prev_report_id is null
                then 'first report of the machine is a stop'
            else 'previous report is the stop ' || timeline.prev_report_id
        end as issue_detail,
        timeline.report_id,
        timeline.branch_id,
        timeline.machine_id,
        timeline.report_type,
        deduplicated_reports.reported_time_text,
        deduplicated_reports.line_number,
        timeline.reported_at,
        timeline.source_file,
        timeline.landed_at
    from timeline
    inner join deduplicated_reports
        on
            timeline.report_id = deduplicated_reports.report_id
            and not deduplicated_reports.is_duplicate
    where timeline.report_role in ('missing_stop', 'missing_start')
),

future_dated as (
    select
        *,
        'reported for ' || cast(reported_at as varchar) || ' UTC, but landed at '
        || cast(landed_at as varchar) || ' UTC' as clock_detail
    from raw_reports
    where is_valid and is_future_dated
),

future_dated_reports as (
    select
        raw_row_id,
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
        landed_at
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
        landed_at
    from keyed_issues
)

select * from final
