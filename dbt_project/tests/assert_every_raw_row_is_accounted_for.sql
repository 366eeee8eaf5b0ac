{#
    Nothing is lost: every report line (blank lines and headers aside) of the raw files
    the newest build staged, and of any raw file staging has not read, is a kept report,
    a duplicate or an invalid row, exactly once. An incremental build checks the files it
    read, a full refresh every file. Returns a row per file that does not add up.
#}

{%- set staging = ref('stg_factory__run_reports') -%}
{%- set newest_files = [] -%}
{%- set floor = namespace(date='9999-12-31') -%}
{%- if execute -%}
    {%- set newest_query -%}
        select distinct cast(ingest_date as varchar) as ingest_date, source_file
        from {{ staging }}
        where _built_at = (select max(built._built_at) from {{ staging }} as built)
    {%- endset -%}
    {%- for row in run_query(newest_query).rows -%}
        {%- do newest_files.append('ingest_date=' ~ row[0] ~ '/' ~ row[1]) -%}
        {%- set floor.date = [floor.date, row[0]] | min -%}
    {%- endfor -%}
{%- endif -%}
{%- set unbuilt_files = unbuilt_raw_files(staging, floor.date) -%}
{#- a full refresh reads every file: naming them all would only make the query long -#}
{%- set files_to_read = none if unbuilt_files is none or newest_files | length > 5000
    else newest_files + unbuilt_files -%}

with

newest_files as (
    select
        source_file,
        count(*) as staged_rows,
        count(case when not is_valid then 1 end) as invalid_rows,
        count(case when is_duplicate then 1 end) as duplicate_rows
    from {{ staging }}
    where _built_at = (select max(built._built_at) from {{ staging }} as built)
    group by source_file
),

raw_counts as (
    {{ raw_report_line_counts(files_to_read, floor.date) }}
),

checked_files as (
    select source_file from newest_files
    union
    select raw_counts.source_file from raw_counts
    where raw_counts.source_file not in (
        select distinct staged.source_file from {{ staging }} as staged
        where staged.ingest_date >= cast('{{ floor.date }}' as date)
    )
),

kept as (
    select
        source_file,
        count(*) as kept_rows
    from {{ ref('int_run_reports_sequenced') }}
    where
        _built_at >= (select max(staged._built_at) from {{ staging }} as staged)
        and source_file in (select checked_files.source_file from checked_files)
    group by source_file
),

final as (
    select
        checked_files.source_file,
        coalesce(raw_counts.raw_rows, 0) as raw_rows,
        coalesce(newest_files.staged_rows, 0) as staged_rows,
        coalesce(kept.kept_rows, 0) as kept_rows,
        coalesce(newest_files.duplicate_rows, 0) as duplicate_rows,
        coalesce(newest_files.invalid_rows, 0) as invalid_rows
    from checked_files
    left join raw_counts on checked_files.source_file = raw_counts.source_file
    left join newest_files on checked_files.source_file = newest_files.source_file
    left join kept on checked_files.source_file = kept.source_file
)

select * from final
where
    raw_rows != staged_rows
    or raw_rows != kept_rows + duplicate_rows + invalid_rows
