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
                select source_file from {{ staging }}
                where ingest_date >= cast('{{ floor }}' as date)
            )
        order by file
    {%- endset -%}
    {{ return(run_query(listing).columns[0].values() | list) }}
{%- endmacro %}


{#
    The raw reports source, reading only `files` (`ingest_date=<date>/<file>.csv`; none
    means every file).
    DuckDB is handed the files by name instead of the glob, so it opens no other file;
    elsewhere the source is returned as it is and the caller's partition filter prunes.
#}
{% macro raw_reports_in_files(raw_reports, files) -%}
    {{ return(adapter.dispatch('raw_reports_in_files', 'cola')(raw_reports, files)) }}
{%- endmacro %}

{% macro default__raw_reports_in_files(raw_reports, files) -%}
    {{ return(raw_reports) }}
{%- endmacro %}

{% macro duckdb__raw_reports_in_files(raw_reports, files) -%}
    {%- if files is none -%}
        {{ return(raw_reports) }}
    {%- endif -%}
    {%- set glob_literal = "'" ~ cola.duckdb_raw_glob() ~ "'" -%}
    {%- if glob_literal not in raw_reports | string -%}
        {{ exceptions.raise_compiler_error(
            "raw_reports_in_files: the factory.run_reports source no longer reads " ~ glob_literal
        ) }}
    {%- endif -%}
    {%- if files | length == 0 -%}
        {{ return('(select * from ' ~ raw_reports ~ ' where false)') }}
    {%- endif -%}
    {%- set file_list -%}
        [{% for file in files %}'{{ (cola.duckdb_raw_root() ~ file) | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor %}]
    {%- endset -%}
    {{ return((raw_reports | string).replace(glob_literal, file_list)) }}
{%- endmacro %}


{# The local raw zone's folder of run reports, and its files as the source reads them on DuckDB. #}
{% macro duckdb_raw_root() -%}
    {{ return(env_var('COLA_HOME', '.cola') ~ '/raw/run_reports/') }}
{%- endmacro %}

{% macro duckdb_raw_glob() -%}
    {{ return(cola.duckdb_raw_root() ~ '*/*.csv') }}
{%- endmacro %}
