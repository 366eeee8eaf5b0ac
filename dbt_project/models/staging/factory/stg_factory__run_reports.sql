{{
    config(
        unique_key=['ingest_date', 'source_file', 'line_number'],
    )
}}

{% set floor = newest_landing_dates_floor() if is_incremental() else none %}
{% set raw_files = unbuilt_raw_files(this, floor) %}

with

raw_lines as (
    select
        id,
        type,
        time,
        branch_id,
        machine_id,
        extra_fields,
        ingest_date,
        {{ raw_file_columns() }}
    from {{ raw_reports_in_files(source('factory', 'run_reports'), raw_files) }}
    {% if is_incremental() %}
        -- a literal, so that Athena prunes the raw partitions before reading them
        where ingest_date >= '{{ floor }}'
    {% endif %}
),

named as (
    select
        type,
        time,
        branch_id,
        machine_id,
        extra_fields,
        ingest_date,
        landed_at,
        line_number,
        -- a byte-order mark begins the first line of some files
        case when starts_with(id, chr(65279)) then substr(id, 2) else id end as id,
        regexp_replace(source_file_path, '^.*/', '') as source_file
    from raw_lines
),

new_lines as (
    select * from named
    {% if is_incremental() %}
        where source_file not in (
            select distinct built.source_file from {{ this }} as built
            where built.ingest_date >= cast('{{ floor }}' as date)
        )
    {% endif %}
),

trimmed as (
    select
        {{ trim_whitespace('id') }} as id,
        lower({{ trim_whitespace('type') }}) as report_type,
        {{ trim_whitespace('time') }} as reported_time_text,
        {{ trim_whitespace('branch_id') }} as branch_id,
        {{ trim_whitespace('machine_id') }} as machine_id,
        extra_fields,
        case
            when extra_fields is not null
                then 5 + length(extra_fields) - length(replace(extra_fields, ',', ''))
            else
                (case when id is null then 0 else 1 end)
                + (case when type is null then 0 else 1 end)
                + (case when time is null then 0 else 1 end)
                + (case when branch_id is null then 0 else 1 end)
                + (case when machine_id is null then 0 else 1 end)
        end as field_count,
        ingest_date,
        source_file,
        landed_at,
        line_number
    from new_lines
),

report_lines as (
    -- a blank line has one empty field; a header names the first two fields
    -- (each case looks at the id only when the first test says it may have to)
    select * from trimmed
    where
        case when field_count = 1 then coalesce(id, '') != '' else true end
        and case when report_type = 'type' then coalesce(lower(id), '') != 'id' else true end
),

parsed as (
    select
        *,
        {{ parse_iso8601_utc('reported_time_text') }} as reported_at
    from report_lines
),

validated as (
    select
        *,
        case
            when field_count != 5 then 'wrong_field_count'
            when coalesce(id, '') = '' then 'missing_id'
            when coalesce(branch_id, '') = '' then 'missing_branch_id'
            when coalesce(machine_id, '') = '' then 'missing_machine_id'
            when coalesce(report_type, '') not in ('start', 'stop') then 'unknown_type'
            when reported_at is null then 'unparsable_time'
        end as invalid_reason
    from parsed
),

staged as (
    select
        nullif(id, '') as report_id,
        nullif(branch_id, '') as branch_id,
        nullif(machine_id, '') as machine_id,
        nullif(report_type, '') as report_type,
        reported_time_text,
        invalid_reason,
        field_count,
        line_number,
        invalid_reason is null as is_valid,
        -- flagged, not dropped: the machine's clock may be wrong, the report is still kept
        coalesce(
            reported_at > landed_at + interval '{{ var("future_tolerance_hours") }}' hour, false
        ) as is_future_dated,
        cast(ingest_date as date) as ingest_date,
        reported_at,
        source_file,
        landed_at
    from validated
),

{#
    A valid report is a duplicate when an earlier-arrived valid report has the same id,
    or the same branch, machine, type and instant. Arrival order: landing time, then
    file name, then line number. Landing times only grow, so a new report can only be
    a duplicate of what came before it; earlier decisions never change.

    Only reports that share their id or instant with another compared report can be
    duplicates, so only those are ordered by arrival. They are found by grouping the
    keys' hashes (one number instead of four columns); a hash shared by two different
    keys only adds a report to those ordered, each ranked by its own key. Each row stores
    both hashes. On a full build every valid report is compared. On an incremental build
    the new ones are, and the earlier ones that share a hash with a new one: first the
    two hash columns of earlier reports are searched for the new reports' hashes, then
    only the earlier reports with a shared hash are read in full. Usually none is, and
    an incremental build reads two numbers per earlier report instead of its id and
    instant.
#}
{% set instant = ['branch_id', 'machine_id', 'report_type', 'reported_at'] %}

hashed as (
    select
        *,
        {{ key_hash(['report_id']) }} as report_id_hash,
        {{ key_hash(instant) }} as instant_hash
    from staged
),

{% if is_incremental() %}
    {% set compared_reports = 'compared_reports' %}

    -- each search names its keys as a filter of `hashed`, not as a CTE of their own: DuckDB
    -- filters the earlier reports as it scans them (a Bloom filter of the keys) only when it
    -- sees that the keys looked up were filtered
    shared_report_id_hashes as (
        select distinct earlier.report_id_hash
        from {{ this }} as earlier
        where
            earlier.is_valid
            and earlier.report_id_hash in (
                select new_hashes.report_id_hash from hashed as new_hashes
                where new_hashes.is_valid
            )
    ),

    shared_instant_hashes as (
        select distinct earlier.instant_hash
        from {{ this }} as earlier
        where
            earlier.is_valid
            and earlier.instant_hash in (
                select new_hashes.instant_hash from hashed as new_hashes
                where new_hashes.is_valid
            )
    ),

    -- each lookup is a join that reads nothing of the earlier reports when no hash is shared
    earlier_reports as (
        select
            earlier.report_id,
            earlier.branch_id,
            earlier.machine_id,
            earlier.report_type,
            earlier.reported_at,
            earlier.ingest_date,
            earlier.source_file,
            earlier.line_number,
            earlier.landed_at,
            earlier.report_id_hash,
            earlier.instant_hash
        from {{ this }} as earlier
        where
            earlier.is_valid
            and earlier.report_id_hash in (
                select shared_report_id_hashes.report_id_hash from shared_report_id_hashes
            )
        union
        select
            earlier.report_id,
            earlier.branch_id,
            earlier.machine_id,
            earlier.report_type,
            earlier.reported_at,
            earlier.ingest_date,
            earlier.source_file,
            earlier.line_number,
            earlier.landed_at,
            earlier.report_id_hash,
            earlier.instant_hash
        from {{ this }} as earlier
        where
            earlier.is_valid
            and earlier.instant_hash in (
                select shared_instant_hashes.instant_hash from shared_instant_hashes
            )
    ),

    compared_reports as (
        select
            report_id,
            branch_id,
            machine_id,
            report_type,
            reported_at,
            ingest_date,
            source_file,
            line_number,
            landed_at,
            report_id_hash,
            instant_hash
        from hashed
        where is_valid
        union all
        select * from earlier_reports
    ),
{% else %}
    {% set compared_reports = '(select * from hashed where is_valid)' %}
{% endif %}

repeated_id_hashes as (
    select compared.report_id_hash
    from {{ compared_reports }} as compared
    group by compared.report_id_hash
    having count(*) > 1
),

repeated_instant_hashes as (
    select compared.instant_hash
    from {{ compared_reports }} as compared
    group by compared.instant_hash
    having count(*) > 1
),

-- the reports that may share their id or instant with another
sharing_reports as (
    select
        compared.report_id,
        compared.branch_id,
        compared.machine_id,
        compared.report_type,
        compared.reported_at,
        compared.ingest_date,
        compared.source_file,
        compared.line_number,
        compared.landed_at
    from {{ compared_reports }} as compared
    where
        compared.report_id_hash in (
            select repeated_id_hashes.report_id_hash from repeated_id_hashes
        )
        or compared.instant_hash in (
            select repeated_instant_hashes.instant_hash from repeated_instant_hashes
        )
),

ranked as (
    select
        ingest_date,
        source_file,
        line_number,
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
        ingest_date,
        source_file,
        line_number,
        case
            when id_arrival_rank > 1 then 'repeated_id'
            else 'same_machine_type_and_instant'
        end as duplicate_reason
    from ranked
    where id_arrival_rank > 1 or instant_arrival_rank > 1
),

final as (
    select
        hashed.report_id,
        hashed.branch_id,
        hashed.machine_id,
        hashed.report_type,
        hashed.reported_time_text,
        hashed.invalid_reason,
        duplicates.duplicate_reason,
        hashed.field_count,
        hashed.line_number,
        hashed.is_valid,
        duplicates.line_number is not null as is_duplicate,
        hashed.is_future_dated,
        hashed.ingest_date,
        hashed.reported_at,
        hashed.source_file,
        hashed.landed_at,
        hashed.report_id_hash,
        hashed.instant_hash,
        {{ build_timestamp() }} as _built_at
    from hashed
    left join duplicates
        on
            hashed.ingest_date = duplicates.ingest_date
            and hashed.source_file = duplicates.source_file
            and hashed.line_number = duplicates.line_number
)

select * from final
