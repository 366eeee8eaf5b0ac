{{
    config(
        materialized='incremental',
        unique_key='machine_day_id',
        pre_hook="{{ cola.keep_join_order(is_incremental()) }}",
        post_hook="{{ cola.keep_join_order(false) }}",
    )
}}

{#
    One row per machine per local day (in its branch's time zone), from the day of its
    first kept report to the day of its last. A report that changed on the timeline
    touches only the days between its neighbours: an incremental build recomputes those
    days and no others, from the runs that can touch them (those that started on the UTC
    dates around them, runs of a day or more, open runs).
#}

with

branches as (
    select * from {{ ref('branches') }}
),

changed_reports as (
    select * from {{ ref('int_run_reports_sequenced') }}
    {% if is_incremental() %}
        where {{ built_since_last_build() }}
    {% endif %}
),

changed_stretches as (
    select
        changed_reports.branch_id,
        changed_reports.machine_id,
        coalesce(branches.timezone, '{{ var("default_timezone") }}') as timezone,
        coalesce(changed_reports.prev_reported_at, changed_reports.reported_at) as stretch_start_at,
        coalesce(changed_reports.next_reported_at, changed_reports.reported_at) as stretch_end_at
    from changed_reports
    left join branches
        on changed_reports.branch_id = branches.branch_id
),

-- stretches that begin on the same UTC date are merged, so that time zones are looked up
-- per machine and date, not per report; a merged stretch only adds days between reports
stretch_groups as (
    select
        branch_id,
        machine_id,
        timezone,
        min(stretch_start_at) as stretch_start_at,
        max(stretch_end_at) as stretch_end_at
    from changed_stretches
    group by branch_id, machine_id, timezone, cast(stretch_start_at as date)
),

local_stretches as (
    select
        branch_id,
        machine_id,
        timezone,
        cast({{ utc_to_local('stretch_start_at', 'timezone') }} as date) as first_local_date,
        cast({{ utc_to_local('stretch_end_at', 'timezone') }} as date) as last_local_date
    from stretch_groups
),

affected_days as (
    select distinct
        local_stretches.branch_id,
        local_stretches.machine_id,
        local_stretches.timezone,
        cast(days.day_value as date) as report_date
    from local_stretches
    cross join
        unnest({{ date_series(
            'local_stretches.first_local_date', 'local_stretches.last_local_date'
        ) }})
            as days (day_value)
),

-- a local day's bounds depend on its time zone only: computed once per zone and day
zone_days as (
    select distinct
        timezone,
        report_date
    from affected_days
),

zone_day_bounds as (
    select
        timezone,
        report_date,
        {{ local_to_utc('cast(report_date as timestamp)', 'timezone') }} as day_start_at,
        {{ local_to_utc('cast(' ~ add_days('report_date', 1) ~ ' as timestamp)', 'timezone') }}
            as day_end_at
    from zone_days
),

day_bounds as (
    select
        affected_days.branch_id,
        affected_days.machine_id,
        affected_days.timezone,
        affected_days.report_date,
        zone_day_bounds.day_start_at,
        zone_day_bounds.day_end_at
    from affected_days
    inner join zone_day_bounds
        on
            affected_days.timezone = zone_day_bounds.timezone
            and affected_days.report_date = zone_day_bounds.report_date
),

-- a closed run shorter than a day that touches a day started on one of these UTC dates
day_start_dates as (
    select
        day_bounds.branch_id,
        day_bounds.machine_id,
        day_bounds.report_date,
        day_bounds.day_start_at,
        day_bounds.day_end_at,
        cast(dates.date_value as date) as start_date
    from day_bounds
    cross join
        unnest({{ date_series(
            'cast(' ~ add_days('cast(day_bounds.day_start_at as date)', -1) ~ ' as date)',
            'cast(day_bounds.day_end_at as date)'
        ) }})
            as dates (date_value)
),

-- closed runs shorter than a day, joined to the days they touch by their start date
short_run_days as (
    select
        day_start_dates.branch_id,
        day_start_dates.machine_id,
        day_start_dates.report_date,
        day_start_dates.day_start_at,
        day_start_dates.day_end_at,
        timeline.reported_at as started_at,
        timeline.next_reported_at as stopped_at
    from {{ ref('int_run_reports_sequenced') }} as timeline
    inner join day_start_dates
        on
            timeline.branch_id = day_start_dates.branch_id
            and timeline.machine_id = day_start_dates.machine_id
            and cast(timeline.reported_at as date) = day_start_dates.start_date
    where
        timeline.report_role = 'run_start'
        and not {{ lasts_a_day_or_more('timeline.reported_at', 'timeline.next_reported_at') }}
        and timeline.reported_at < day_start_dates.day_end_at
        and timeline.next_reported_at > day_start_dates.day_start_at
),

-- runs of a day or more, and open runs (an open run touches the days from its start on,
-- and adds no uptime: only its start is counted); both are long links on the timeline,
-- a stored flag that lets the scan skip all other reports
long_run_days as (
    select
        day_bounds.branch_id,
        day_bounds.machine_id,
        day_bounds.report_date,
        day_bounds.day_start_at,
        day_bounds.day_end_at,
        timeline.reported_at as started_at,
        case
            when timeline.report_role = 'run_start' then timeline.next_reported_at
        end as stopped_at
    from {{ ref('int_run_reports_sequenced') }} as timeline
    inner join day_bounds
        on
            timeline.branch_id = day_bounds.branch_id
            and timeline.machine_id = day_bounds.machine_id
            and timeline.reported_at < day_bounds.day_end_at
    where
        timeline.is_long_link
        and (
            timeline.report_role = 'open_run_start'
            or (
                timeline.report_role = 'run_start'
                and {{ lasts_a_day_or_more('timeline.reported_at', 'timeline.next_reported_at') }}
            )
        )
        and (
            timeline.report_role = 'open_run_start'
            or timeline.next_reported_at > day_bounds.day_start_at
        )
),

run_days as (
    select * from short_run_days
    union all
    select * from long_run_days
),

day_totals as (
    select
        branch_id,
        machine_id,
        report_date,
        sum(
            case
                when stopped_at is not null
                    then {{ seconds_between(
                        'greatest(started_at, day_start_at)',
                        'least(stopped_at, day_end_at)'
                    ) }}
                else 0
            end
        ) as uptime_seconds,
        count(case when started_at >= day_start_at then started_at end) as runs_started
    from run_days
    group by branch_id, machine_id, report_date
),

day_runs as (
    select
        day_bounds.branch_id,
        day_bounds.machine_id,
        day_bounds.timezone,
        day_bounds.report_date,
        day_bounds.day_start_at,
        day_bounds.day_end_at,
        coalesce(day_totals.uptime_seconds, 0) as uptime_seconds,
        coalesce(day_totals.runs_started, 0) as runs_started
    from day_bounds
    left join day_totals
        on
            day_bounds.branch_id = day_totals.branch_id
            and day_bounds.machine_id = day_totals.machine_id
            and day_bounds.report_date = day_totals.report_date
),

final as (
    select
        branch_id || ':' || machine_id || ':' || cast(report_date as varchar) as machine_day_id,
        branch_id,
        machine_id,
        timezone,
        cast(uptime_seconds as double) as uptime_seconds,
        cast(runs_started as bigint) as runs_started,
        cast({{ seconds_between('day_start_at', 'day_end_at') }} as bigint) as day_seconds,
        cast(uptime_seconds as double)
        / {{ seconds_between('day_start_at', 'day_end_at') }} as availability,
        report_date,
        day_start_at,
        day_end_at,
        {{ build_timestamp() }} as _built_at
    from day_runs
)

select * from final
