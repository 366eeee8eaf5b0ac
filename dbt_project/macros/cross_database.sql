{#
    Every difference between DuckDB (local) and Athena (production) lives here,
    as adapter.dispatch macros with default__/duckdb__/athena__ versions.
    Models call these and contain no adapter-specific SQL.
#}

{# A string trimmed of spaces, tabs, carriage returns and line feeds. #}
{% macro trim_whitespace(expression) -%}
    {{ return(adapter.dispatch('trim_whitespace', 'cola')(expression)) }}
{%- endmacro %}

{% macro default__trim_whitespace(expression) -%}
    trim({{ expression }})
{%- endmacro %}

{% macro duckdb__trim_whitespace(expression) -%}
    trim({{ expression }}, chr(32) || chr(9) || chr(13) || chr(10))
{%- endmacro %}


{#
    An ISO-8601 string as a UTC timestamp without zone, or null when it is not one.
    Accepted: YYYY-MM-DD, then T or a space, then hh:mm[:ss[.fraction]], then an
    optional Z or +hh[:mm] / -hh[:mm] offset. No offset means UTC.
#}
{% macro iso8601_pattern() -%}
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$'
{%- endmacro %}

{% macro parse_iso8601_utc(expression) -%}
    {{ return(adapter.dispatch('parse_iso8601_utc', 'cola')(expression)) }}
{%- endmacro %}

{% macro duckdb__parse_iso8601_utc(expression) -%}
    {%- set with_seconds -%}
        regexp_replace(
            replace(upper({{ expression }}), ',', '.'),
            '^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2})(Z|[+-]|$)',
            '\1T\2:00\3'
        )
    {%- endset -%}
    case
        when regexp_matches(upper({{ expression }}), {{ cola.iso8601_pattern() }})
            then timezone(
                'UTC',
                try_cast(
                    case
                        when regexp_matches({{ with_seconds }}, '(Z|[+-][0-9:]+)$')
                            then {{ with_seconds }}
                        else {{ with_seconds }} || '+00:00'
                    end as timestamptz
                )
            )
    end
{%- endmacro %}

{% macro athena__parse_iso8601_utc(expression) -%}
    case
        when regexp_like(upper({{ expression }}), {{ cola.iso8601_pattern() }})
            then cast(
                try(
                    from_iso8601_timestamp(
                        replace(replace(upper({{ expression }}), ' ', 'T'), ',', '.')
                    ) at time zone 'UTC'
                ) as timestamp(6)
            )
    end
{%- endmacro %}


{# A UTC timestamp (no zone) as wall-clock time in an IANA zone (no zone). #}
{% macro utc_to_local(timestamp_expression, timezone_expression) -%}
    {{ return(adapter.dispatch('utc_to_local', 'cola')(timestamp_expression, timezone_expression)) }}
{%- endmacro %}

{% macro duckdb__utc_to_local(timestamp_expression, timezone_expression) -%}
    timezone({{ timezone_expression }}, timezone('UTC', {{ timestamp_expression }}))
{%- endmacro %}

{% macro athena__utc_to_local(timestamp_expression, timezone_expression) -%}
    cast(
        at_timezone(with_timezone({{ timestamp_expression }}, 'UTC'), {{ timezone_expression }})
        as timestamp(6)
    )
{%- endmacro %}


{# Wall-clock time in an IANA zone (no zone) as a UTC timestamp (no zone). #}
{% macro local_to_utc(timestamp_expression, timezone_expression) -%}
    {{ return(adapter.dispatch('local_to_utc', 'cola')(timestamp_expression, timezone_expression)) }}
{%- endmacro %}

{% macro duckdb__local_to_utc(timestamp_expression, timezone_expression) -%}
    timezone('UTC', timezone({{ timezone_expression }}, {{ timestamp_expression }}))
{%- endmacro %}

{% macro athena__local_to_utc(timestamp_expression, timezone_expression) -%}
    cast(
        at_timezone(with_timezone({{ timestamp_expression }}, {{ timezone_expression }}), 'UTC')
        as timestamp(6)
    )
{%- endmacro %}


{# Seconds from one UTC timestamp to a later one, as a double (exact to the microsecond). #}
{% macro seconds_between(start_expression, end_expression) -%}
    {{ return(adapter.dispatch('seconds_between', 'cola')(start_expression, end_expression)) }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_expression, end_expression) -%}
    (date_diff('microsecond', {{ start_expression }}, {{ end_expression }}) / 1000000.0)
{%- endmacro %}

{% macro athena__seconds_between(start_expression, end_expression) -%}
    (date_diff('millisecond', {{ start_expression }}, {{ end_expression }}) / 1000.0)
{%- endmacro %}


{# A date plus a whole number of days. #}
{% macro add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'cola')(date_expression, days)) }}
{%- endmacro %}

{% macro duckdb__add_days(date_expression, days) -%}
    cast({{ date_expression }} + to_days(cast({{ days }} as integer)) as date)
{%- endmacro %}

{% macro athena__add_days(date_expression, days) -%}
    date_add('day', {{ days }}, {{ date_expression }})
{%- endmacro %}


{#
    An array of every date from first_date to last_date (inclusive), to unnest:
    cross join unnest({{ date_series('a', 'b') }}) as days (day_value)
    Cast day_value to date: DuckDB yields timestamps.
#}
{% macro date_series(first_date, last_date) -%}
    {{ return(adapter.dispatch('date_series', 'cola')(first_date, last_date)) }}
{%- endmacro %}

{% macro duckdb__date_series(first_date, last_date) -%}
    generate_series(
        cast({{ first_date }} as timestamp),
        cast({{ last_date }} as timestamp),
        interval 1 day
    )
{%- endmacro %}

{% macro athena__date_series(first_date, last_date) -%}
    sequence({{ first_date }}, {{ last_date }}, interval '1' day)
{%- endmacro %}


{# The current build's timestamp (UTC, no zone): stamps every row a build writes. #}
{% macro build_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}
