{{
    config(
        unique_key='report_id',
    )
}}

{#
    Each kept report with its neighbours on its machine's timeline (ordered by time,
    a stop before a start at the same instant, then by id), and the role this gives it.
    A new report changes only its own neighbours: an incremental build re-reads, per
    machine with new reports, the stretch of timeline from the last report before the
    earliest new one to the first report after the latest new one, and rewrites the
    rows whose neighbours changed.
#}

with

kept_reports as (
    select * from {{ ref('int_run_reports_deduplicated') }}
    where not is_duplicate
),

new_reports as (
    select
        report_id,
        branch_id,
        machine_id,
        report_type,
        reported_at,
        source_file,
        ingest_date,
        landed_at,
        cast(null as varchar) as stored_prev_report_id,
        cast(null as varchar) as stored_prev_report_type,
        cast(null as timestamp) as stored_prev_reported_at,
        cast(null as varchar) as stored_next_report_id,
        cast(null as varchar) as stored_next_report_type,
        cast(null as timestamp) as stored_next_reported_at,
        true as is_new
    from kept_reports
    {% if is_incremental() %}
        where {{ built_since_last_build() }}
    {% endif %}
),

{% if is_incremental() %}
    new_report_bounds as (
        select
            branch_id,
            machine_id,
            min(reported_at) as first_new_reported_at,
            max(reported_at) as last_new_reported_at
        from new_reports
        group by branch_id, machine_id
    ),

    timeline_windows as (
        select
            bounds.branch_id,
            bounds.machine_id,
            max(
                case
                    when timeline.reported_at < bounds.first_new_reported_at
                        then timeline.reported_at
                end
            ) as window_start_at,
            min(
                case
                    when timeline.reported_at > bounds.last_new_reported_at
                        then timeline.reported_at
                end
            ) as window_end_at
        from new_report_bounds as bounds
        inner join {{ this }} as timeline
            on
                bounds.branch_id = timeline.branch_id
                and bounds.machine_id = timeline.machine_id
        group by bounds.branch_id, bounds.machine_id
    ),

    reports_in_windows as (
        select
            timeline.report_id,
            timeline.branch_id,
            timeline.machine_id,
            timeline.report_type,
            timeline.reported_at,
            timeline.source_file,
            timeline.ingest_date,
            timeline.landed_at,
            timeline.prev_report_id as stored_prev_report_id,
            timeline.prev_report_type as stored_prev_report_type,
            timeline.prev_reported_at as stored_prev_reported_at,
            timeline.next_report_id as stored_next_report_id,
            timeline.next_report_type as stored_next_report_type,
            timeline.next_reported_at as stored_next_reported_at,
            false as is_new
        from {{ this }} as timeline
        inner join timeline_windows as windows
            on
                timeline.branch_id = windows.branch_id
                and timeline.machine_id = windows.machine_id
        where
            (windows.window_start_at is null or timeline.reported_at >= windows.window_start_at)
            and (windows.window_end_at is null or timeline.reported_at <= windows.window_end_at)
    ),

    timeline_stretches as (
        select * from new_reports
        union all
        select * from reports_in_windows
    ),
{% else %}
    timeline_stretches as (
        select * from new_reports
    ),
{% endif %}

neighbours as (
    select
        *,
        lag(report_id) over machine_timeline as window_prev_report_id,
        lag(report_type) over machine_timeline as window_prev_report_type,
        lag(reported_at) over machine_timeline as window_prev_reported_at,
        lead(report_id) over machine_timeline as window_next_report_id,
        lead(report_type) over machine_timeline as window_next_report_type,
        lead(reported_at) over machine_timeline as window_next_reported_at
    from timeline_stretches
    window machine_timeline as (
        partition by branch_id, machine_id
        order by reported_at, {{ stop_before_start('report_type') }}, report_id
    )
),

-- a stretch's first and last reports keep the neighbours they had outside it
linked as (
    select
        *,
        coalesce(window_prev_report_id, stored_prev_report_id) as prev_report_id,
        case
            when window_prev_report_id is null then stored_prev_report_type
            else window_prev_report_type
        end as prev_report_type,
        case
            when window_prev_report_id is null then stored_prev_reported_at
            else window_prev_reported_at
        end as prev_reported_at,
        coalesce(window_next_report_id, stored_next_report_id) as next_report_id,
        case
            when window_next_report_id is null then stored_next_report_type
            else window_next_report_type
        end as next_report_type,
        case
            when window_next_report_id is null then stored_next_reported_at
            else window_next_reported_at
        end as next_reported_at
    from neighbours
),

final as (
    select
        report_id,
        branch_id,
        machine_id,
        report_type,
        case
            when report_type = 'start' and next_report_type = 'stop' then 'run_start'
            when report_type = 'start' and next_report_type = 'start' then 'missing_stop'
            when report_type = 'start' then 'open_run_start'
            when prev_report_type = 'start' then 'run_stop'
            else 'missing_start'
        end as report_role,
        prev_report_id,
        prev_report_type,
        next_report_id,
        next_report_type,
        ingest_date,
        reported_at,
        prev_reported_at,
        next_reported_at,
        source_file,
        landed_at,
        {{ build_timestamp() }} as _built_at
    from linked
    where
        is_new
        or prev_report_id is distinct from stored_prev_report_id
        or next_report_id is distinct from stored_next_report_id
)

select * from final
