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
