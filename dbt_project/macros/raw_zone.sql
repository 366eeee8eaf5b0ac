{#
    The raw zone holds the machines' CSV files byte for byte. Both engines expose
    the same six text columns (see _factory__sources.yml); what they expose about
    the file itself differs, so it is read here.
#}

{# Select-list entries for the file a raw line came from: path, landing time, line number. #}
{% macro raw_file_columns() -%}
    {{ return(adapter.dispatch('raw_file_columns', 'cola')()) }}
{%- endmacro %}

{% macro duckdb__raw_file_columns() -%}
    _file_path as source_file_path,
    _landed_at as landed_at,
    _line_number as line_number
{%- endmacro %}

{#
    Athena's CSV reader has no line numbers: lines are numbered within their file by
    content, which is stable across builds and only orders lines that are otherwise
    identical in every column.
#}
{% macro athena__raw_file_columns() -%}
    "$path" as source_file_path,
    cast("$file_modified_time" at time zone 'UTC' as timestamp(6)) as landed_at,
    row_number() over (
        partition by "$path"
        order by id, type, time, branch_id, machine_id, extra_fields
    ) as line_number
{%- endmacro %}


{#
    The id of a raw line, `<ingest date>/<file name>:<line number>`: the landing date
    first, so that Athena merges can prune partitions by it. Staging writes it; a model
    that knows a report's landing date, file and line can derive it instead of storing it.
#}
{% macro raw_row_id(ingest_date, source_file, line_number) -%}
    cast({{ ingest_date }} as varchar) || '/' || {{ source_file }} || ':' || cast({{ line_number }} as varchar)
{%- endmacro %}


{#
    The raw files (`ingest_date=<date>/<file>.csv`) of landing partitions from `floor` on
    that `staging` (the staging model) has not built yet, or none for "all of them".
    DuckDB lists the local raw zone; on Athena the partition filter on the literal floor
    (staging's where clause) is what prunes.
#}
{% macro unbuilt_raw_files(staging, floor) -%}
    {{ return(adapter.dispatch('unbuilt_raw_files', 'cola')(staging, floor)) }}
{%- endmacro %}

{% macro default__unbuilt_raw_files(staging, floor) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__unbuilt_raw_files(staging, floor) -%}
    {%- if not execute or floor is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set listing -%}
        select regexp_extract(file, '(ingest_date=[0-9]{4}-[0-9]{2}-[0-9]{2}/[^/]*)$', 1)
        from glob('{{ cola.duckdb_raw_glob() }}')
        where
            regexp_extract(file, 'ingest_date=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1) >= '{{ floor }}'
            and parse_filename(file) not in (
                select distinct source_file from {{ staging }}
                where ingest_date >= cast('{{ floor }}' as date)
            )
        order by file
    {%- endset -%}
    {{ return(run_query(listing).columns[0].values() | list) }}
{%- endmacro %}


{#
    The raw reports source, reading only `files` (`ingest_date=<date>/<file>.csv`; none
    means every file). On DuckDB the source's read_text of the whole raw zone is replaced
    by `duckdb_raw_file_texts(files)`, so that only the named files are opened and they
    are split on every thread. Elsewhere the source is returned as it is and the caller's
    partition filter prunes.
#}
{% macro raw_reports_in_files(raw_reports, files) -%}
    {{ return(adapter.dispatch('raw_reports_in_files', 'cola')(raw_reports, files)) }}
{%- endmacro %}

{% macro default__raw_reports_in_files(raw_reports, files) -%}
    {{ return(raw_reports) }}
{%- endmacro %}

{% macro duckdb__raw_reports_in_files(raw_reports, files) -%}
    {%- if not execute -%}
        {{ return(raw_reports) }}
    {%- endif -%}
    {%- set plain_read = "read_text('" ~ cola.duckdb_raw_glob() ~ "')" -%}
    {%- if plain_read not in raw_reports | string and files is none -%}
        {# a unit test's fixture in place of the source: nothing to split #}
        {{ return(raw_reports) }}
    {%- elif plain_read not in raw_reports | string -%}
        {{ exceptions.raise_compiler_error(
            "raw_reports_in_files: the factory.run_reports source no longer reads " ~ plain_read
        ) }}
    {%- elif files is not none and files | length == 0 -%}
        {{ return('(select * from ' ~ raw_reports ~ ' where false)') }}
    {%- endif -%}
    {{ return((raw_reports | string).replace(plain_read, cola.duckdb_raw_file_texts(files))) }}
{%- endmacro %}


{#
    The local raw files `files` (`ingest_date=<date>/<file>.csv`; none: every file), one
    row per file: `filename`, `content`, `last_modified`, as read_text gives them.
    read_text reads on one thread, and DuckDB runs what follows a scan (splitting each
    file into lines and fields, and all of staging's work) on the thread that scanned.
    Grouping by file name changes no row, but hands the files on from a hash table, which
    every thread reads a part of: at 10 M reports on two cores staging takes half the time.
#}
{% macro duckdb_raw_file_texts(files) -%}
    (
        select filename, any_value(content) as content, any_value(last_modified) as last_modified
        from read_text(
            {%- if files is none -%}
                '{{ cola.duckdb_raw_glob() }}'
            {%- else -%}
                {{ cola.duckdb_raw_file_list(files) }}
            {%- endif -%}
        )
        group by filename
    )
{%- endmacro %}


{# The local raw zone's folder of run reports, and its files as the source reads them on DuckDB. #}
{% macro duckdb_raw_root() -%}
    {{ return(env_var('COLA_HOME', '.cola') ~ '/raw/run_reports/') }}
{%- endmacro %}

{% macro duckdb_raw_glob() -%}
    {{ return(cola.duckdb_raw_root() ~ '*/*.csv') }}
{%- endmacro %}

{# A DuckDB list literal of the local paths of raw files (`ingest_date=<date>/<file>.csv`). #}
{% macro duckdb_raw_file_list(files) -%}
    {%- set paths = [] -%}
    {%- for file in files -%}
        {%- do paths.append("'" ~ (cola.duckdb_raw_root() ~ file) | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {{ return('[' ~ paths | join(', ') ~ ']') }}
{%- endmacro %}


{#
    Per raw file (`source_file`, its name), how many of its lines are reports: every line
    but blank lines and headers, as staging reads them. Reads the files named in `files`
    (`ingest_date=<date>/<file>.csv`; none: all) of landing dates from `floor` on. The
    reconciliation test counts raw lines with this, apart from the models.
#}
{% macro raw_report_line_counts(files, floor) -%}
    {{ return(adapter.dispatch('raw_report_line_counts', 'cola')(files, floor)) }}
{%- endmacro %}

{% macro default__raw_report_line_counts(files, floor) -%}
    with

    raw_lines as (
        select
            {{ cola.trim_whitespace("replace(id, chr(65279), '')") }} as id,
            lower({{ cola.trim_whitespace('type') }}) as report_type,
            id is not null and type is null and extra_fields is null as is_single_field,
            {{ cola.raw_file_columns() }}
        from {{ cola.raw_reports_in_files(source('factory', 'run_reports'), files) }}
        -- a literal, so that Athena reads only these partitions
        where ingest_date >= '{{ floor }}'
    )

    select
        regexp_replace(source_file_path, '^.*/', '') as source_file,
        count(*) as raw_rows
    from raw_lines
    where
        -- the same lines staging reads: not blank, not a header
        case when is_single_field then coalesce(id, '') != '' else true end
        and case when report_type = 'type' then coalesce(lower(id), '') != 'id' else true end
    group by regexp_replace(source_file_path, '^.*/', '')
{%- endmacro %}

{#
    DuckDB counts within each file's text, without splitting lines into rows and fields:
    the checks for a blank line or a header run only on lines that begin with a space,
    a byte-order mark or an "i".
#}
{% macro duckdb__raw_report_line_counts(files, floor) -%}
    {%- if files is not none and files | length == 0 -%}
        {{ return('select cast(null as varchar) as source_file, 0 as raw_rows where false') }}
    {%- endif -%}
    {%- set whitespace = "chr(32) || chr(9) || chr(13) || chr(10)" -%}
    {%- set without_bom = "if(starts_with(line, chr(65279)), substr(line, 2), line)" -%}
    select
        parse_filename(filename) as source_file,
        len(list_filter(
            string_split(content, chr(10)),
            line -> not case
                when line = '' or line[1] <= ' ' or line[1] in ('i', 'I', chr(65279)) then
                    (
                        not contains(line, ',')
                        and trim({{ without_bom }}, {{ whitespace }}) = ''
                    )
                    or (
                        lower(trim(split_part({{ without_bom }}, ',', 1), {{ whitespace }})) = 'id'
                        and lower(trim(split_part(line, ',', 2), {{ whitespace }})) = 'type'
                    )
                else false
            end
        )) as raw_rows
    from {{ cola.duckdb_raw_file_texts(files) }}
    where regexp_extract(filename, 'ingest_date=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1) >= '{{ floor }}'
{%- endmacro %}
