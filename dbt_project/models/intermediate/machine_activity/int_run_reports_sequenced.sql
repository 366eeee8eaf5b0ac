{{
    config(
        unique_key=['branch_id', 'machine_id', 'report_type', 'reported_at'],
        pre_hook="{{ cola.keep_join_order(is_incremental()) }}",
        post_hook="{{ cola.keep_join_order(false) }}",
    )
}}

{#
    Each kept report with its neighbours on its machine's timeline (ordered by time, a
    stop before a start at the same instant, then by id), and the role this gives it.

    A new report changes only the links of the stored reports just before and after it.
    An incremental build therefore reads, besides the new reports, a small set of stored
    reports that is sure to hold those two neighbours of every new report:
      - the stored reports in the same hour as a new report or the hour after it (on the
        same machine), and the reports they link to: a neighbour in another hour is
        linked from one of them;
      - for a new report in an hour without stored reports, the stored link that spans
        that whole hour: a report whose next report is at least two clock hours later
        (or that has none), or the machine's first report.
    The rows are ordered again, and each row takes as neighbour the nearer of the one it
    finds among them and the one it had stored. Only rows whose links change are written.
    The rows read and written grow with the new reports, not with history. What grows
    with history is three passes over one stored column each, kept on every row for them:
    `machine_hour_key` (a hash of the machine and the clock hour) finds the reports in the
    hours of new reports, `is_long_link` the long links, and `instant_key` (a hash of the
    machine and the time) reads the rows found. Each is a semi-join on one column, which
    DuckDB filters as it scans (a Bloom filter of the keys looked up), skipping most rows
    before the hash lookup and the other columns' blocks that hold none. A hash that two
    keys share only adds rows to those read, and reading a stored report that is no
    neighbour of a new one changes nothing: it keeps its stored links, which are nearer.

    Kept reports are unique by their instant (branch, machine, type, time): staging makes a
    later report at the same instant a duplicate. So the instant, not the id, is what names
    a report here: links are the neighbours' times and types. Only the next report's id is
    carried (a run's stop report), and the stored rows are read without it, since reading
    an id column costs more than reading all the time columns: a row's next id is that of
    the next row read, and a rewritten row whose stored next report was not read (a new report
    came just before it, its next report is in a later hour) looks that one id up by
    instant. Reading the hour after each new report's makes that rare, and a lookup with
    nothing to find reads nothing. On Athena rewritten rows are merged by instant. On
    DuckDB each rewritten row carries the row number of the stored row it was read from,
    and the `replace_rows` strategy (macros/incremental_helpers.sql) deletes those rows by
    number: deleting by instant joined the whole table on four columns once more.
#}

{% set replaces_rows = is_incremental() and config.get('incremental_strategy') == 'replace_rows' %}

with

kept_reports as (
    select * from {{ ref('stg_factory__run_reports') }}
    where is_valid and not is_duplicate
),

new_reports as (
    select
        report_id,
        branch_id,
        machine_id,
        report_type,
        reported_at,
        line_number,
        source_file,
        ingest_date,
        landed_at,
        cast(null as varchar) as stored_prev_report_type,
        cast(null as timestamp) as stored_prev_reported_at,
        cast(null as varchar) as stored_next_report_type,
        cast(null as timestamp) as stored_next_reported_at,
        {% if replaces_rows %}cast(null as bigint) as stored_row,{% endif %}
        true as is_new
    from kept_reports
    {% if is_incremental() %}
        where {{ built_since_last_build() }}
    {% endif %}
),

{% if is_incremental() %}
    -- the hour of each new report and the hour after it, by machine: a stored report there
    -- that a new report comes just before is read with the report after it, whose id it keeps
    -- (read from staging with its filter, not from new_reports: DuckDB filters the timeline
    -- as it scans only when it sees that the keys looked up were filtered)
    new_report_hours as (
        select distinct
            {{ key_hash([
                'staged.branch_id',
                'staged.machine_id',
                hour_number('staged.reported_at') ~ ' + hour_offsets.hour_offset',
            ]) }} as machine_hour_key
        from {{ ref('stg_factory__run_reports') }} as staged
        cross join (values (0), (1)) as hour_offsets (hour_offset)
        where
            staged.is_valid
            and not staged.is_duplicate
            and {{ built_since_last_build('staged._built_at') }}
    ),

    -- the timeline's reports in the hours of new reports: one pass over one stored column
    same_hour_reports as (
        select
            timeline.branch_id,
            timeline.machine_id,
            timeline.reported_at,
            timeline.prev_reported_at,
            timeline.next_reported_at
        from {{ this }} as timeline
        where
            timeline.machine_hour_key in (
                select new_report_hours.machine_hour_key from new_report_hours
            )
    ),

    spanning_links as (
        select
            long_links.branch_id,
            long_links.machine_id,
            long_links.reported_at,
            long_links.next_reported_at
        from {{ this }} as long_links
        inner join new_reports
            on
                long_links.branch_id = new_reports.branch_id
                and long_links.machine_id = new_reports.machine_id
        where
            long_links.is_long_link
            and (
                (
                    long_links.reported_at <= new_reports.reported_at
                    and (
                        long_links.next_reported_at is null
                        or long_links.next_reported_at >= new_reports.reported_at
                    )
                )
                or (
                    long_links.prev_reported_at is null
                    and long_links.reported_at >= new_reports.reported_at
                )
            )
    ),

    -- reports are found by machine and time: a machine's kept reports at one instant are
    -- at most a stop and a start, and reading both does no harm
    stored_report_times as (
        select
            branch_id,
            machine_id,
            reported_at
        from same_hour_reports
        union
        select
            branch_id,
            machine_id,
            prev_reported_at as reported_at
        from same_hour_reports
        where prev_reported_at is not null
        union
        select
            branch_id,
            machine_id,
            next_reported_at as reported_at
        from same_hour_reports
        where next_reported_at is not null
        union
        select
            branch_id,
            machine_id,
            reported_at
        from spanning_links
        union
        select
            branch_id,
            machine_id,
            next_reported_at as reported_at
        from spanning_links
        where next_reported_at is not null
    ),

    stored_report_keys as (
        select {{ key_hash(['branch_id', 'machine_id', 'reported_at']) }} as instant_key
        from stored_report_times
    ),

    stored_reports as (
        select
            timeline.report_id,
            timeline.branch_id,
            timeline.machine_id,
            timeline.report_type,
            timeline.reported_at,
            timeline.line_number,
            timeline.source_file,
            timeline.ingest_date,
            timeline.landed_at,
            timeline.prev_report_type as stored_prev_report_type,
            timeline.prev_reported_at as stored_prev_reported_at,
            timeline.next_report_type as stored_next_report_type,
            timeline.next_reported_at as stored_next_reported_at,
            {% if replaces_rows %}timeline.rowid as stored_row,{% endif %}
            false as is_new
        from {{ this }} as timeline
        where
            timeline.instant_key in (
                select stored_report_keys.instant_key from stored_report_keys
            )
    ),

    timeline_reports as (
        select * from new_reports
        union all
        select * from stored_reports
    ),
{% else %}
    timeline_reports as (
        select * from new_reports
    ),
{% endif %}

neighbours as (
    select
        *,
        lag(report_type) over machine_timeline as found_prev_report_type,
        lag(reported_at) over machine_timeline as found_prev_reported_at,
        lead(report_id) over machine_timeline as found_next_report_id,
        lead(report_type) over machine_timeline as found_next_report_type,
        lead(reported_at) over machine_timeline as found_next_reported_at
    from timeline_reports
    window machine_timeline as (
        partition by branch_id, machine_id
        order by reported_at, {{ stop_before_start('report_type') }}, report_id
    )
),

-- the nearer neighbour on each side: the one found among the rows read, or the stored one
nearest as (
    select
        *,
        case
            when found_prev_reported_at is null then false
            when stored_prev_reported_at is null then true
            when found_prev_reported_at != stored_prev_reported_at
                then found_prev_reported_at > stored_prev_reported_at
            -- at the same instant a start comes after a stop (the same type is the same report)
            else found_prev_report_type = 'start' or stored_prev_report_type = 'stop'
        end as is_found_prev_nearer,
        case
            when found_next_reported_at is null then false
            when stored_next_reported_at is null then true
            when found_next_reported_at != stored_next_reported_at
                then found_next_reported_at < stored_next_reported_at
            else found_next_report_type = 'stop' or stored_next_report_type = 'start'
        end as is_found_next_nearer
    from neighbours
),

linked as (
    select
        *,
        case
            when is_found_prev_nearer then found_prev_report_type else stored_prev_report_type
        end as prev_report_type,
        case
            when is_found_prev_nearer then found_prev_reported_at else stored_prev_reported_at
        end as prev_reported_at,
        case when is_found_next_nearer then found_next_report_id end as found_next_id,
        case
            when is_found_next_nearer then found_next_report_type else stored_next_report_type
        end as next_report_type,
        case
            when is_found_next_nearer then found_next_reported_at else stored_next_reported_at
        end as next_reported_at
    from nearest
),

written as (
    select * from linked
    where
        is_new
        or prev_reported_at is distinct from stored_prev_reported_at
        or prev_report_type is distinct from stored_prev_report_type
        or next_reported_at is distinct from stored_next_reported_at
        or next_report_type is distinct from stored_next_report_type
),

{% if is_incremental() %}
    -- a rewritten row that keeps its stored next report, when that report was not read:
    -- its id is looked up by instant (usually no row needs it, and then nothing is read)
    unread_next_reports as (
        select distinct
            branch_id,
            machine_id,
            next_report_type as report_type,
            next_reported_at as reported_at
        from written
        where next_reported_at is not null and found_next_id is null
    ),

    unread_next_ids as (
        select
            timeline.branch_id,
            timeline.machine_id,
            timeline.report_type,
            timeline.reported_at,
            timeline.report_id
        from {{ this }} as timeline
        inner join unread_next_reports
            on
                timeline.branch_id = unread_next_reports.branch_id
                and timeline.machine_id = unread_next_reports.machine_id
                and timeline.report_type = unread_next_reports.report_type
                and timeline.reported_at = unread_next_reports.reported_at
    ),
{% endif %}

final as (
    select
        written.report_id,
        written.branch_id,
        written.machine_id,
        written.report_type,
        case
            when written.report_type = 'start' and written.next_report_type = 'stop'
                then 'run_start'
            when written.report_type = 'start' and written.next_report_type = 'start'
                then 'missing_stop'
            when written.report_type = 'start' then 'open_run_start'
            when written.prev_report_type = 'start' then 'run_stop'
            else 'missing_start'
        end as report_role,
        written.prev_report_type,
        {% if is_incremental() %}
            coalesce(written.found_next_id, unread_next_ids.report_id) as next_report_id,
        {% else %}
            written.found_next_id as next_report_id,
        {% endif %}
        written.next_report_type,
        written.line_number,
        written.ingest_date,
        written.reported_at,
        written.prev_reported_at,
        written.next_reported_at,
        written.source_file,
        written.landed_at,
        -- lookup keys for later incremental builds (see above)
        {{ key_hash(['written.branch_id', 'written.machine_id', 'written.reported_at']) }}
            as instant_key,
        {{ key_hash([
            'written.branch_id', 'written.machine_id', hour_number('written.reported_at')
        ]) }} as machine_hour_key,
        coalesce(
            written.prev_reported_at is null
            or written.next_reported_at is null
            or {{ hour_number('written.next_reported_at') }}
            >= {{ hour_number('written.reported_at') }} + 2,
            false
        ) as is_long_link,
        {% if replaces_rows %}written.stored_row as _replaces_row,{% endif %}
        {{ build_timestamp() }} as _built_at
    from written
    {% if is_incremental() %}
        left join unread_next_ids
            on
                written.branch_id = unread_next_ids.branch_id
                and written.machine_id = unread_next_ids.machine_id
                and written.next_report_type = unread_next_ids.report_type
                and written.next_reported_at = unread_next_ids.reported_at
    {% endif %}
)

select * from final
