{#
    Rows an upstream incremental model wrote since this model last wrote: every
    incremental model stamps its rows with the build that wrote them (_built_at).
#}
{% macro built_since_last_build(column='_built_at') -%}
    {{ column }} > (
        select coalesce(max(_built_at), cast('1970-01-01 00:00:00' as timestamp))
        from {{ this }}
    )
{%- endmacro %}


{# Per machine, stops sort before starts at the same instant (a machine stopped, then started again). #}
{% macro stop_before_start(report_type) -%}
    case when {{ report_type }} = 'stop' then 0 else 1 end
{%- endmacro %}
