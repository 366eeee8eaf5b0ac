{#
    Every difference between DuckDB (local) and Athena engine v3 (production, Trino
    semantics) lives here, as adapter.dispatch macros with default__/duckdb__/athena__
    versions. Models call these and contain no adapter-specific SQL.
    Tests: tests/dbt_athena/test_cross_database_macros.py (DuckDB results, and the
    Athena versions compiled, parsed as Athena SQL and, where sqlglot can translate them
    faithfully, executed).
#}

{# A string trimmed of spaces, tabs, carriage returns and line feeds (and nothing else). #}
{% macro trim_whitespace(expression) -%}
    {{ return(adapter.dispatch('trim_whitespace', 'cola')(expression)) }}
{%- endmacro %}

{% macro default__trim_whitespace(expression) -%}
    trim({{ expression }})
{%- endmacro %}

{# trim() is slow on DuckDB: only a string that begins or ends with a character <= ' ' needs it. #}
{% macro duckdb__trim_whitespace(expression) -%}
    case
        when {{ expression }}[1] <= ' ' or {{ expression }}[-1] <= ' '
            then trim({{ expression }}, chr(32) || chr(9) || chr(13) || chr(10))
        else {{ expression }}
    end
{%- endmacro %}

{#
    Trino's one-argument trim() strips all Java white space (vertical tabs, form feeds,
    Unicode spaces too): name the four characters, as on DuckDB, so both engines agree.
    (The SQL-standard `trim(both ... from ...)` says the same, but SQLFluff's athena
    dialect cannot parse it.) Trino's regexp_replace replaces every match.
#}
{% macro athena__trim_whitespace(expression) -%}
    regexp_replace({{ expression }}, '^[ \t\r\n]+|[ \t\r\n]+$', '')
{%- endmacro %}


{#
    An ISO-8601 string as a UTC timestamp without zone, or null when it is not one.
    Accepted: YYYY-MM-DD, then T or a space, then hh:mm[:ss[.fraction]] (a comma may
    stand for the point), then an optional Z or +hh[:mm] / -hh[:mm] / +hhmm offset, in
    either case (t, z). No offset means UTC. Hours 00-23, minutes and seconds 00-59; an
    impossible date (2024-02-30) is null. Fractions beyond microseconds are truncated.

    Both engines take the same steps, with functions they share, so they agree by
    construction instead of by the leniency of two different timestamp parsers:
    the wall-clock part is rebuilt as `YYYY-MM-DD hh:mm:ss.ffffff` and cast, and the
    offset is subtracted as a number of minutes.
#}
{% macro iso8601_pattern() -%}
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.,][0-9]+)?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?$'
{%- endmacro %}

{# The wall-clock part of an upper-cased ISO-8601 string, as `YYYY-MM-DD hh:mm:ss.ffffff`. #}
{% macro iso8601_wall_clock_text(upper_expression) -%}
    substr({{ upper_expression }}, 1, 10) || ' ' || substr({{ upper_expression }}, 12, 5) || ':'
    || coalesce(nullif(regexp_extract({{ upper_expression }}, '^.{16}:([0-9]{2})', 1), ''), '00')
    || '.'
    || rpad(
        coalesce(nullif(regexp_extract({{ upper_expression }}, '^.{19}[.,]([0-9]+)', 1), ''), '0'),
        6,
        '0'
    )
{%- endmacro %}

{#
    The offset of an upper-cased ISO-8601 string in minutes east of UTC (0 for Z or none).
    regexp_extract gives '' (DuckDB) or null (Athena) for a group that did not match.
#}
{% macro iso8601_offset_minutes(upper_expression) -%}
    (
        case
            when regexp_extract({{ upper_expression }}, '([+-])[0-9]{2}(:?[0-9]{2})?$', 1) = '-'
                then -1
            else 1
        end
        * (
            60 * cast(coalesce(nullif(
                regexp_extract({{ upper_expression }}, '[+-]([0-9]{2})(:?[0-9]{2})?$', 1), ''
            ), '0') as integer)
            + cast(coalesce(nullif(
                regexp_extract({{ upper_expression }}, '[+-][0-9]{2}:?([0-9]{2})$', 1), ''
            ), '0') as integer)
        )
    )
{%- endmacro %}

{% macro parse_iso8601_utc(expression) -%}
    {{ return(adapter.dispatch('parse_iso8601_utc', 'cola')(expression)) }}
{%- endmacro %}

{#
    DuckDB: once the pattern has matched, its own timestamptz cast reads the text (seconds
    added when missing, a comma fraction made a point, Z when there is no offset); a cast
    is much faster than taking the text apart, and the pattern leaves it nothing to guess.
#}
{% macro duckdb__parse_iso8601_utc(expression) -%}
    {%- set text = 'upper(' ~ expression ~ ')' -%}
    case
        when regexp_matches({{ text }}, {{ cola.iso8601_pattern() }})
            then cast(timezone('UTC', try_cast(
                replace(
                    case
                        when substr({{ text }}, 17, 1) = ':' then {{ text }}
                        else substr({{ text }}, 1, 16) || ':00' || substr({{ text }}, 17)
                    end,
                    ',', '.'
                )
                || case
                    when
                        ends_with({{ text }}, 'Z')
                        or contains(substr({{ text }}, 17), '+')
                        or contains(substr({{ text }}, 17), '-')
                        then ''
                    else 'Z'
                end
                as timestamptz
            )) as timestamp)
    end
{%- endmacro %}

{% macro athena__parse_iso8601_utc(expression) -%}
    {%- set upper_expression = 'upper(' ~ expression ~ ')' -%}
    case
        when regexp_like({{ upper_expression }}, {{ cola.iso8601_pattern() }})
            then date_add(
                'minute',
                -{{ cola.iso8601_offset_minutes(upper_expression) }},
                try_cast({{ cola.iso8601_wall_clock_text(upper_expression) }} as timestamp(6))
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

{# with_timezone: the wall clock read in a zone; at_timezone: the same instant, another zone. #}
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


{#
    Seconds from one UTC timestamp to a later one, as a double, exact to the microsecond.
    Parenthesised: it is used as a divisor.
#}
{% macro seconds_between(start_expression, end_expression) -%}
    {{ return(adapter.dispatch('seconds_between', 'cola')(start_expression, end_expression)) }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_expression, end_expression) -%}
    (cast(date_diff('microsecond', {{ start_expression }}, {{ end_expression }}) as double) / 1000000)
{%- endmacro %}

{#
    Trino's date_diff stops at milliseconds, and `x / 1000.0` would be a decimal division
    rounded to one decimal place. Whole seconds come from date_diff on the timestamps cut
    to the second; the microseconds are digits 21-26 of a timestamp(6) as text
    (`YYYY-MM-DD hh:mm:ss.ffffff`).
#}
{% macro athena__microsecond_of_second(timestamp_expression) -%}
    cast(substr(cast(cast({{ timestamp_expression }} as timestamp(6)) as varchar), 21, 6) as bigint)
{%- endmacro %}

{% macro athena__seconds_between(start_expression, end_expression) -%}
    (cast(
        date_diff(
            'second',
            date_trunc('second', cast({{ start_expression }} as timestamp(6))),
            date_trunc('second', cast({{ end_expression }} as timestamp(6)))
        ) * 1000000
        + {{ cola.athena__microsecond_of_second(end_expression) }}
        - {{ cola.athena__microsecond_of_second(start_expression) }}
        as double
    ) / 1000000)
{%- endmacro %}


{#
    Whether a later UTC timestamp is at least 24 hours after an earlier one: a run of a
    day or more. DuckDB compares the microseconds between them: integer arithmetic, cheaper
    over millions of runs than adding an interval to each start.
#}
{% macro lasts_a_day_or_more(start_expression, end_expression) -%}
    {{ return(adapter.dispatch('lasts_a_day_or_more', 'cola')(start_expression, end_expression)) }}
{%- endmacro %}

{% macro athena__lasts_a_day_or_more(start_expression, end_expression) -%}
    {{ end_expression }} >= date_add('day', 1, {{ start_expression }})
{%- endmacro %}

{% macro duckdb__lasts_a_day_or_more(start_expression, end_expression) -%}
    date_diff('microsecond', {{ start_expression }}, {{ end_expression }}) >= 86400000000
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
    The clock hour a timestamp falls in, as a number: whole hours since 1970-01-01 00:00.
    Both engines' date_diff counts the hour boundaries crossed, which from a whole hour on
    is that number. Integer arithmetic: DuckDB computes it in half the time of
    date_trunc('hour', ...), and a timestamp two hours later is `hour_number(t) + 2`.
#}
{% macro hour_number(timestamp_expression) -%}
    date_diff('hour', cast('1970-01-01 00:00:00' as timestamp), {{ timestamp_expression }})
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

{# Trino's sequence() refuses to build more than 10,000 elements: ample for days. #}
{% macro athena__date_series(first_date, last_date) -%}
    sequence({{ first_date }}, {{ last_date }}, interval '1' day)
{%- endmacro %}


{# The current build's timestamp (UTC, no zone): stamps every row a build writes. #}
{% macro build_timestamp() -%}
    {{ return(cola.timestamp_literal(run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f"))) }}
{%- endmacro %}


{#
    A timestamp (no zone) written as text, 'YYYY-MM-DD HH:MM:SS[.ffffff]', as a constant.
    On Athena a bare `timestamp` is timestamp(3), and Iceberg tables store timestamp(6).
#}
{% macro timestamp_literal(text) -%}
    {{ return(adapter.dispatch('timestamp_literal', 'cola')(text)) }}
{%- endmacro %}

{% macro default__timestamp_literal(text) -%}
    cast('{{ text }}' as timestamp)
{%- endmacro %}

{% macro athena__timestamp_literal(text) -%}
    cast('{{ text }}' as timestamp(6))
{%- endmacro %}


{# The query of the `unique_and_not_null` test (tests/generic/): keys that repeat or are null. #}
{% macro default__test_unique_and_not_null(model, column_name) -%}
    select
        {{ column_name }} as key_value,
        count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
    having count(*) > 1 or {{ column_name }} is null
{%- endmacro %}

{#
    DuckDB groups the keys' 64-bit hashes, which is faster than grouping text keys, and
    compares the keys themselves only for hashes that repeat or that nulls have: a
    repeated key fails, two keys that only share a hash pass.
#}
{% macro duckdb__test_unique_and_not_null(model, column_name) -%}
    with

    suspect_hashes as (
        select hash({{ column_name }}) as key_hash
        from {{ model }}
        group by hash({{ column_name }})
        having count(*) > 1 or count({{ column_name }}) < count(*)
    ),

    final as (
        select
            {{ column_name }} as key_value,
            count(*) as n_records
        from {{ model }}
        where hash({{ column_name }}) in (select suspect_hashes.key_hash from suspect_hashes)
        group by {{ column_name }}
        having count(*) > 1 or {{ column_name }} is null
    )

    select * from final
{%- endmacro %}


{#
    A number standing for a key of one or more columns (of `relation_alias`, when given),
    for grouping: rows with the same key have the same hash; two keys may rarely share
    one, so callers compare the keys themselves wherever a hash repeats. Grouping one
    number is much faster than grouping several text and time columns.
#}
{% macro key_hash(columns, relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- set qualified = [] -%}
    {%- for column in columns -%}
        {%- do qualified.append(prefix ~ column) -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('key_hash', 'cola')(qualified)) }}
{%- endmacro %}

{% macro duckdb__key_hash(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{% macro athena__key_hash(expressions) -%}
    xxhash64(to_utf8(concat_ws(chr(31)
    {%- for expression in expressions %}, coalesce(cast({{ expression }} as varchar), ''){% endfor %})))
{%- endmacro %}
