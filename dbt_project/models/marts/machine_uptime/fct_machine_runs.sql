with

timeline as (
    select * from {{ ref('int_run_reports_sequenced') }}
),

run_starts as (
    select * from timeline
    where report_role in ('run_start', 'open_run_start')
),

final as (
    select
        report_id as run_id,
        branch_id,
        machine_id,
        report_id as start_report_id,
        case when report_role = 'run_start' then next_report_id end as stop_report_id,
        case
            when report_role = 'run_start'
                then {{ seconds_between('reported_at', 'next_reported_at') }}
        end as duration_seconds,
        report_role = 'open_run_start' as is_open,
        reported_at as started_at,
        case when report_role = 'run_start' then next_reported_at end as stopped_at,
        _built_at
    from run_starts
)

select * from final
