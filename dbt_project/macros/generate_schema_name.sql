{#
    Models land in the schema their folder names (staging, intermediate, marts, seeds),
    exactly, on every target: BI tools and Athena users query `marts.fct_machine_daily`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
