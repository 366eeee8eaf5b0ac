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

    Only reports that share their id or instant with another compared report can be
    duplicates, so only those are ordered by arrival: the repeated keys are found by
    grouping, and every other report is kept without being sorted.
#}

{#
    The reports compared: on a full build every valid report, read where it is used
    (a CTE read several times would be copied whole first); on an incremental build the
    new reports and the earlier ones sharing their id or instant, a few rows.
#}
with

{% if is_incremental() %}
    {% set compared_reports = 'compared_reports' %}

    new_reports as (
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
        from {{ ref('stg_factory__run_reports') }}
        where is_valid and {{ built_since_last_build() }}
    ),

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
        select * from new_reports
        union all
        select * from earlier_reports
    ),
{% else %}
    {% set compared_reports %}(select *, true as is_new from {{ ref('stg_factory__run_reports') }} where is_valid){% endset %}
{% endif %}

repeated_ids as (
    select compared.report_id
    from {{ compared_reports }} as compared
    group by compared.report_id
    having count(*) > 1
),

repeated_instants as (
    select
        compared.branch_id,
        compared.machine_id,
        compared.report_type,
        compared.reported_at
    from {{ compared_reports }} as compared
    group by compared.branch_id, compared.machine_id, compared.report_type, compared.reported_at
    having count(*) > 1
),

-- the reports that share their id or instant with another
sharing_reports as (
    select
        compared.raw_row_id,
        compared.report_id,
        compared.branch_id,
        compared.machine_id,
        compared.report_type,
        compared.reported_at,
        compared.source_file,
        compared.line_number,
        compared.landed_at
    from {{ compared_reports }} as compared
    left join repeated_instants
        on
            compared.branch_id = repeated_instants.branch_id
            and compared.machine_id = repeated_instants.machine_id
            and compared.report_type = repeated_instants.report_type
            and compared.reported_at = repeated_instants.reported_at
    where
        compared.report_id in (select repeated_ids.report_id from repeated_ids)
        or repeated_instants.reported_at is not null
),

ranked as (
    select
        raw_row_id,
        row_number() over (
            partition by report_id
            order by landed_at, source_file, line_number
        ) as id_arrival_rank,
        row_number() over (
            partition by branch_id, machine_id, report_type, reported_at
            order by landed_at, source_file, line_number
        ) as instant_arrival_rank
    from sharing_reports
),

duplicates as (
    select
        raw_row_id,
        case
            when id_arrival_rank > 1 then 'repeated_id'
            else 'same_machine_type_and_instant'
        end as duplicate_reason
    from ranked
    where id_arrival_rank > 1 or instant_arrival_rank > 1
),

final as (
    select
        compared.raw_row_id,
        compared.report_id,
        compared.branch_id,
        compared.machine_id,
        compared.report_type,
        compared.reported_time_text,
        duplicates.duplicate_reason,
        compared.line_number,
        duplicates.raw_row_id is not null as is_duplicate,
        compared.ingest_date,
        compared.reported_at,
        compared.source_file,
        compared.landed_at,
        {{ build_timestamp() }} as _built_at
    from {{ compared_reports }} as compared
    left join duplicates
        on compared.raw_row_id = duplicates.raw_row_id
    where compared.is_new
)

select * from final
