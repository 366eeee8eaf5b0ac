-- The floor: the pipeline's core work as hand-written DuckDB SQL, with no framework.
-- Reads every CSV under {reports}, keeps valid reports, drops duplicates (a repeated id,
-- or the same machine, type and instant; the first file wins), pairs each start with the
-- machine's next report when it is a stop, and sums uptime per machine and local day.
-- benchmarks/bench_pipeline.py times it against `cola ingest` + `cola build`.

create or replace table reports as
select
    trim(id) as report_id,
    lower(trim(type)) as report_type,
    try_cast(time as timestamptz) as reported_at,
    trim(branch_id) as branch_id,
    trim(machine_id) as machine_id,
    filename
from read_csv(
    '{reports}',
    columns = {
        'id': 'varchar', 'type': 'varchar', 'time': 'varchar',
        'branch_id': 'varchar', 'machine_id': 'varchar'
    },
    header = false, filename = true, ignore_errors = true
);

create or replace table kept_reports as
select report_id, report_type, reported_at, branch_id, machine_id
from reports
where reported_at is not null and report_type in ('start', 'stop') and report_id <> ''
qualify
    row_number() over (partition by report_id order by filename) = 1
    and row_number() over (
        partition by branch_id, machine_id, report_type, reported_at order by filename
    ) = 1;

create or replace table machine_runs as
select branch_id, machine_id, reported_at as started_at, next_reported_at as stopped_at
from (
    select
        *,
        lead(report_type) over machine_timeline as next_report_type,
        lead(reported_at) over machine_timeline as next_reported_at
    from kept_reports
    window machine_timeline as (
        partition by branch_id, machine_id
        order by reported_at, report_type = 'start', report_id
    )
)
where report_type = 'start' and next_report_type = 'stop';

create or replace table machine_daily as
with
zones as (
    select * from (values {zones}) as zone (branch_id, timezone)
),
machine_spans as (
    select
        runs.branch_id,
        runs.machine_id,
        coalesce(any_value(zones.timezone), 'UTC') as timezone,
        min(runs.started_at) as first_at,
        max(runs.stopped_at) as last_at
    from machine_runs as runs
    left join zones on runs.branch_id = zones.branch_id
    group by all
),
machine_days as (
    select
        branch_id,
        machine_id,
        cast(days.day as date) as report_date,
        timezone(timezone, cast(days.day as timestamp)) as day_start_at,
        timezone(timezone, days.day + interval 1 day) as day_end_at
    from machine_spans
    cross join unnest(generate_series(
        cast(timezone(timezone, first_at) as date),
        cast(timezone(timezone, last_at) as date),
        interval 1 day
    )) as days (day)
)
select
    days.branch_id,
    days.machine_id,
    days.report_date,
    sum(
        epoch(least(runs.stopped_at, days.day_end_at))
        - epoch(greatest(runs.started_at, days.day_start_at))
    ) as uptime_seconds,
    count(*) filter (where runs.started_at >= days.day_start_at) as runs_started
from machine_days as days
inner join machine_runs as runs
    on
        days.branch_id = runs.branch_id
        and days.machine_id = runs.machine_id
        and runs.started_at < days.day_end_at
        and runs.stopped_at > days.day_start_at
group by all;
