{{
    config(
        materialized='incremental',
        unique_key='machine_key',
    )
}}

{#
    Totals come from the daily facts, which the build keeps up to date incrementally: a
    run is counted on the local day it started, and its uptime is split over the days it
    touches (assert_daily_uptime_matches_closed_runs checks that no time is lost). They
    are a few hundred rows per machine, not every report of its history.

    The first and last reports are the two ends of the machine's timeline: the reports
    without a previous or a next report. A build that moves an end writes the report now
    at that end (a new report, or a stored one whose link changed), so an incremental
    build reads only the timeline rows written since its last build, and keeps the
    stored end of each machine where none was written.
#}

with

daily as (
    select * from {{ ref('fct_machine_daily') }}
),

written_reports as (
    select * from {{ ref('int_run_reports_sequenced') }}
    {% if is_incremental() %}
        where {{ built_since_last_build() }}
    {% endif %}
),

branches as (
    select * from {{ ref('branches') }}
),

{% if is_incremental() %}
    stored_machines as (
        select * from {{ this }}
    ),
{% endif %}

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

written_first_reports as (
    select
        branch_id,
        machine_id,
        reported_at
    from written_reports
    where prev_reported_at is null
),

written_last_reports as (
    select
        branch_id,
        machine_id,
        report_type,
        reported_at
    from written_reports
    where next_reported_at is null
),

-- a machine's first report is written by the build that lands its first report
machines as (
    select
        branch_id,
        machine_id
    from written_first_reports
    {% if is_incremental() %}
        union
        select
            branch_id,
            machine_id
        from stored_machines
    {% endif %}
),

machine_ends as (
    select
        machines.branch_id,
        machines.machine_id,
        {% if is_incremental() %}
            coalesce(written_first_reports.reported_at, stored_machines.first_reported_at)
                as first_reported_at,
            coalesce(written_last_reports.reported_at, stored_machines.last_reported_at)
                as last_reported_at,
            coalesce(written_last_reports.report_type = 'start', stored_machines.is_running)
                as is_running
        {% else %}
            written_first_reports.reported_at as first_reported_at,
            written_last_reports.reported_at as last_reported_at,
            written_last_reports.report_type = 'start' as is_running
        {% endif %}
    from machines
    left join written_first_reports
        on
            machines.branch_id = written_first_reports.branch_id
            and machines.machine_id = written_first_reports.machine_id
    left join written_last_reports
        on
            machines.branch_id = written_last_reports.branch_id
            and machines.machine_id = written_last_reports.machine_id
    {% if is_incremental() %}
        left join stored_machines
            on
                machines.branch_id = stored_machines.branch_id
                and machines.machine_id = stored_machines.machine_id
    {% endif %}
),

final as (
    select
        machine_ends.branch_id || ':' || machine_ends.machine_id as machine_key,
        machine_ends.branch_id,
        machine_ends.machine_id,
        coalesce(branches.branch_name, 'Branch ' || machine_ends.branch_id) as branch_name,
        coalesce(branches.timezone, '{{ var("default_timezone") }}') as timezone,
        case when machine_ends.is_running then 'running' else 'stopped' end as current_state,
        cast(coalesce(machine_totals.runs, 0) as bigint) as runs,
        cast(coalesce(machine_totals.lifetime_uptime_seconds, 0) as double)
            as lifetime_uptime_seconds,
        machine_ends.is_running,
        machine_ends.first_reported_at,
        machine_ends.last_reported_at,
        machine_ends.last_reported_at as state_since,
        {{ build_timestamp() }} as _built_at
    from machine_ends
    left join machine_totals
        on
            machine_ends.branch_id = machine_totals.branch_id
            and machine_ends.machine_id = machine_totals.machine_id
    left join branches
        on machine_ends.branch_id = branches.branch_id
)

select * from final
