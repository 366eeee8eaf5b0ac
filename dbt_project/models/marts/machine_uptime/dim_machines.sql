{# Each import is read by one CTE only: DuckDB materializes a CTE that is read twice. #}

with

timeline as (
    select * from {{ ref('int_run_reports_sequenced') }}
),

-- each machine's last report (the time column is cheaper to scan than the id)
timeline_ends as (
    select * from {{ ref('int_run_reports_sequenced') }}
    where next_reported_at is null
),

branches as (
    select * from {{ ref('branches') }}
),

last_reports as (
    select
        branch_id,
        machine_id,
        report_type,
        reported_at
    from timeline_ends
),

machine_totals as (
    select
        branch_id,
        machine_id,
        count(*) as reports_kept,
        count(case when report_role in ('run_start', 'open_run_start') then 1 end) as runs,
        sum(
            case
                when report_role = 'run_start'
                    then {{ seconds_between('reported_at', 'next_reported_at') }}
                else 0
            end
        ) as lifetime_uptime_seconds,
        min(reported_at) as first_reported_at,
        max(reported_at) as last_reported_at
    from timeline
    group by branch_id, machine_id
),

final as (
    select
        machine_totals.branch_id || ':' || machine_totals.machine_id as machine_key,
        machine_totals.branch_id,
        machine_totals.machine_id,
        coalesce(branches.branch_name, 'Branch ' || machine_totals.branch_id) as branch_name,
        coalesce(branches.timezone, '{{ var("default_timezone") }}') as timezone,
        case when last_reports.report_type = 'start' then 'running' else 'stopped' end
            as current_state,
        cast(machine_totals.reports_kept as bigint) as reports_kept,
        cast(machine_totals.runs as bigint) as runs,
        cast(machine_totals.lifetime_uptime_seconds as double) as lifetime_uptime_seconds,
        last_reports.report_type = 'start' as is_running,
        machine_totals.first_reported_at,
        machine_totals.last_reported_at,
        last_reports.reported_at as state_since
    from machine_totals
    inner join last_reports
        on
            machine_totals.branch_id = last_reports.branch_id
            and machine_totals.machine_id = last_reports.machine_id
    left join branches
        on machine_totals.branch_id = branches.branch_id
)

select * from final
