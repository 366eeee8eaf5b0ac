{#
    Splitting runs at local midnights loses and invents no time: per machine, the daily
    uptime adds up to the duration of its closed runs (to the millisecond).
#}

with

daily as (
    select
        branch_id,
        machine_id,
        sum(uptime_seconds) as uptime_seconds
    from {{ ref('fct_machine_daily') }}
    group by branch_id, machine_id
),

runs as (
    select
        branch_id,
        machine_id,
        sum(coalesce(duration_seconds, 0)) as run_seconds
    from {{ ref('fct_machine_runs') }}
    group by branch_id, machine_id
),

final as (
    select
        runs.branch_id,
        runs.machine_id,
        runs.run_seconds,
        daily.uptime_seconds
    from runs
    left join daily
        on
            runs.branch_id = daily.branch_id
            and runs.machine_id = daily.machine_id
    where abs(runs.run_seconds - coalesce(daily.uptime_seconds, -1)) > 0.001
)

select * from final
