{#
    Totals come from the daily facts, which the build keeps up to date incrementally: a
    run is counted on the local day it started, and its uptime is split over the days it
    touches (assert_daily_uptime_matches_closed_runs checks that no time is lost). So this
    view reads a few hundred rows per machine, not every report of its history. The first
    and last reports are the timeline's two ends: the reports without a previous or a next
    report.
#}

with

daily as (
    select * from {{ ref('fct_machine_daily') }}
),

timeline_starts as (
    select * from {{ ref('int_run_reports_sequenced') }}
    where prev_reported_at is null
),

timeline_ends as (
    select * from {{ ref('int_run_reports_sequenced') }}
    where next_reported_at is null
),

branches as (
    select * from {{ ref('branches') }}
),

machine_totals as (
    select
        branch_id,
        machine_id,
        sum(runs_started) as runs,
        -- to the microsecond, the precision of report times
        round(sum(uptime_seconds), 6) as lifetime_uptime_seconds
    from daily
    group by branch_id, machine_id
),

first_reports as (
    select
        branch_id,
        machine_id,
        reported_at
    from timeline_starts
),

last_reports as (
    select
        branch_id,
        machine_id,
        report_type,
        reported_at
    from timeline_ends
),

final as (
    select
        first_reports.branch_id || ':' || first_reports.machine_id as machine_key,
        first_reports.branch_id,
        first_reports.machine_id,
        coalesce(branches.branch_name, 'Branch ' || first_reports.branch_id) as branch_name,
        coalesce(branches.timezone, '{{ var("default_timezone") }}') as timezone,
        case when last_reports.report_type = 'start' then 'running' else 'stopped' end
            as current_state,
        cast(coalesce(machine_totals.runs, 0) as bigint) as runs,
        cast(coalesce(machine_totals.lifetime_uptime_seconds, 0) as double)
            as lifetime_uptime_seconds,
        last_reports.report_type = 'start' as is_running,
        first_reports.reported_at as first_reported_at,
        last_reports.reported_at as last_reported_at,
        last_reports.reported_at as state_since
    from first_reports
    inner join last_reports
        on
            first_reports.branch_id = last_reports.branch_id
            and first_reports.machine_id = last_reports.machine_id
    left join machine_totals
        on
            first_reports.branch_id = machine_totals.branch_id
            and first_reports.machine_id = machine_totals.machine_id
    left join branches
        on first_reports.branch_id = branches.branch_id
)

select * from final
