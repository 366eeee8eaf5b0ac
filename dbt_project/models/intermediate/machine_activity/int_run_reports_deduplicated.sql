{{
    config(
        unique_key='raw_row_id',
    )
}}

{#
    A valid report is a duplicate when an earlier-arrived valid report has the same id,
    or the same branch, machine, type and instant. Arrival order: landing time, then
    file name, then line number. Landing times only grow, so a new report can only be
    a duplicate of what came before it; earlier decisions never change.
#}

with

valid_reports as (
    select * from {{ ref('stg_factory__run_reports') }}
    where is_valid
),

new_reports as (
    select * from valid_reports
    {% if is_incremental() %}
        where {{ built_since_last_build() }}
    {% endif %}
),

keyed_new_reports as (
    select
        raw_row_id,
        report_id,
        branch_id,
        machine_id,
        report_type,
        reported_time_text,
        reported_at,
        source_file,
        line_number,
        ingest_date,
        landed_at,
        true as is_new
    from new_reports
),

{% if is_incremental() %}
    earlier_reports as (
        select
            earlier.raw_row_id,
            earlier.report_id,
            earlier.branch_id,
            earlier.machine_id,
            earlier.report_type,
            earlier.reported_time_text,
            earlier.reported_at,
            earlier.source_file,
            earlier.line_number,
            earlier.ingest_date,
            earlier.landed_at,
            false as is_new
        from {{ this }} as earlier
        where
            earlier.report_id in (select new_reports.report_id from new_reports)
            or exists (
                select 1 as is_match
                from new_reports
                where
                    new_reports.branch_id = earlier.branch_id
                    and new_reports.machine_id = earlier.machine_id
                    and new_reports.report_type = earlier.report_type
                    and new_reports.reported_at = earlier.reported_at
            )
    ),

    compared_reports as (
        select * from keyed_new_reports
        union all
        select * from earlier_reports
    ),
{% else %}
    compared_reports as (
        select * from keyed_new_reports
    ),
{% endif %}

ranked as (
    select
        *,
        row_number() over (
            partition by report_id
            order by landed_at, source_file, line_number
        ) as id_arrival_rank,
        row_number() over (
            partition by branch_id, machine_id, report_type, reported_at
            order by landed_at, source_file, line_number
        ) as instant_arrival_rank
    from compared_reports
),

final as (
    select
        raw_row_id,
        report_id,
        branch_id,
        machine_id,
        report_type,
        reported_time_text,
        case
            when id_arrival_rank > 1 then 'repeated_id'
            when instant_arrival_rank > 1 then 'same_machine_type_and_instant'
        end as duplicate_reason,
        line_number,
        id_arrival_rank > 1 or instant_arrival_rank > 1 as is_duplicate,
        ingest_date,
        reported_at,
        source_file,
        landed_at,
        {{ build_timestamp() }} as _built_at
    from ranked
    where is_new
)

select * from final
