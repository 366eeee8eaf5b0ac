"""The cross-database macros (dbt_project/macros/cross_database.sql), case by case.

Every macro is compiled for both targets in one `dbt compile --inline` each. The DuckDB
version runs on DuckDB and must give the expected values. The Athena version must parse as
Athena SQL (sqlglot), and where sqlglot translates its functions to DuckDB faithfully
(string, regex, cast and day arithmetic: parse_iso8601_utc, trim_whitespace, add_days,
date_series) it runs too and must give the same values: that checks the Athena logic, not
Trino itself, which nothing here can run.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from tests.dbt_athena.conftest import dbt_command
from tests.dbt_athena.moto_athena import REPO_ROOT, FakeAws, run_with_fake_aws

FIXTURES = Path(__file__).parent / "fixtures"
ISO8601_CASES = list(csv.DictReader((FIXTURES / "iso8601_cases.csv").open(newline="")))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _iso8601_values() -> str:
    return ",\n".join(
        f"({number}, {_literal(case['input'])})" for number, case in enumerate(ISO8601_CASES)
    )


# One statement per macro, each after a `-- @@name` marker. Timestamps and dates go in
# and come out as text, so the same statement means the same thing on both engines.
INLINE_SQL = f"""
-- @@parse_iso8601_utc
select case_id, cast({{{{ parse_iso8601_utc('input_text') }}}} as varchar) as result
from (values
{_iso8601_values()}
) as cases (case_id, input_text)
-- @@trim_whitespace
select case_id, {{{{ trim_whitespace('input_text') }}}} as result
from (values
(1, ' ' || chr(9) || ' a b ' || chr(13) || chr(10)),
(2, chr(160) || 'a' || chr(160)),
(3, chr(11) || 'a'),
(4, '')
) as cases (case_id, input_text)
-- @@add_days
select case_id,
    cast(cast({{{{ add_days('cast(day_text as date)', 'days') }}}} as date) as varchar) as result
from (values
(1, '2024-02-28', 1),
(2, '2024-02-28', 2),
(3, '2024-12-31', 1),
(4, '2024-03-01', -1)
) as cases (case_id, day_text, days)
-- @@hour_number
select case_id, {{{{ hour_number('cast(time_text as timestamp)') }}}} as result
from (values
(1, '1970-01-01 00:00:00'),
(2, '1970-01-01 00:59:59.999'),
(3, '1970-01-01 01:00:00'),
(4, '2024-02-29 23:30:00'),
(5, '2024-03-01 00:00:00.001'),
(6, '2024-03-01 01:59:59')
) as cases (case_id, time_text)
-- @@date_series
select count(*) as days, cast(min(cast(day_value as date)) as varchar) as first_day,
    cast(max(cast(day_value as date)) as varchar) as last_day
from unnest({{{{ date_series("cast('2024-02-27' as date)", "cast('2024-03-01' as date)") }}}})
    as days (day_value)
-- @@utc_to_local
select case_id, cast({{{{ utc_to_local('cast(utc_text as timestamp)', 'zone') }}}} as varchar)
    as result
from (values
(1, '2024-03-10 06:59:59', 'America/New_York'),
(2, '2024-03-10 07:00:00', 'America/New_York'),
(3, '2024-03-10 12:00:00', 'Asia/Kolkata'),
(4, '2024-10-27 00:59:59', 'Europe/Amsterdam'),
(5, '2024-10-27 01:00:00', 'Europe/Amsterdam')
) as cases (case_id, utc_text, zone)
-- @@local_to_utc
select case_id, cast({{{{ local_to_utc('cast(local_text as timestamp)', 'zone') }}}} as varchar)
    as result
from (values
(1, '2024-03-10 00:00:00', 'America/New_York'),
(2, '2024-03-11 00:00:00', 'America/New_York'),
(3, '2024-03-31 00:00:00', 'Asia/Kolkata'),
(4, '2024-10-27 00:00:00', 'Europe/Amsterdam'),
(5, '2024-10-28 00:00:00', 'Europe/Amsterdam')
) as cases (case_id, local_text, zone)
-- @@seconds_between
select case_id,
    {{{{ seconds_between('cast(start_text as timestamp)', 'cast(end_text as timestamp)') }}}}
    as result
from (values
(1, '2024-01-01 00:00:00', '2024-01-02 00:00:00'),
(2, '2024-01-01 00:00:00', '2024-01-01 00:00:01.000001'),
(3, '2024-01-01 00:00:00.999999', '2024-01-01 00:00:01'),
(4, '2024-01-01 10:00:00.250000', '2024-01-01 10:00:00.250000'),
(5, '2023-12-31 23:59:59.500000', '2024-01-01 00:00:00.000001')
) as cases (case_id, start_text, end_text)
-- @@lasts_a_day_or_more
select case_id,
    case
        when {{{{ lasts_a_day_or_more(
            'cast(start_text as timestamp)', 'cast(end_text as timestamp)'
        ) }}}} then 'yes'
        else 'no'
    end as result
from (values
(1, '2024-01-01 00:00:00', '2024-01-02 00:00:00'),
(2, '2024-01-01 00:00:00', '2024-01-01 23:59:59.999999'),
(3, '2024-02-28 12:00:00.500000', '2024-02-29 12:00:00.500001'),
(4, '2024-02-28 12:00:00', '2024-02-29 11:59:59'),
(5, '2024-03-09 12:00:00', '2024-03-10 12:00:00'),
(6, '2024-01-01 10:00:00', '2024-01-01 10:00:00')
) as cases (case_id, start_text, end_text)
-- @@build_timestamp
select {{{{ build_timestamp() }}}} as built_at
-- @@timestamp_literal
select 1 as case_id, {{{{ timestamp_literal('2024-02-29 23:59:59.999999') }}}} as result
union all
select 2, {{{{ timestamp_literal('2024-01-01 00:00:00') }}}}
union all
select 3, {{{{ timestamp_literal('2024-12-31 10:00:00.5') }}}}
-- @@key_hash
select case_id,
    count(*) over (partition by {{{{ key_hash(['first_text', 'second_text'], 'cases') }}}})
    as result
from (values
(1, 'a', 'b'),
(2, 'a', 'b'),
(3, 'ab', ''),
(4, 'a', 'bc'),
(5, 'ab', 'c'),
(6, 'b', 'a')
) as cases (case_id, first_text, second_text)
"""

MARCH_2024 = (date(2024, 3, 1) - date(1970, 1, 1)).days * 24  # hours to 2024-03-01 00:00

EXPECTED = {
    "parse_iso8601_utc": {
        number: case["expected_utc"] or None for number, case in enumerate(ISO8601_CASES)
    },
    "trim_whitespace": {1: "a b", 2: "\u00a0a\u00a0", 3: "\x0ba", 4: ""},
    "add_days": {1: "2024-02-29", 2: "2024-03-01", 3: "2025-01-01", 4: "2024-02-29"},
    # whole hours since 1970-01-01 00:00: the clock hour, not the rounded one
    "hour_number": {1: 0, 2: 0, 3: 1, 4: MARCH_2024 - 1, 5: MARCH_2024, 6: MARCH_2024 + 1},
    "utc_to_local": {
        1: "2024-03-10 01:59:59",  # New York: last second of standard time
        2: "2024-03-10 03:00:00",  # and the first of daylight time (02:00-03:00 skipped)
        3: "2024-03-10 17:30:00",
        4: "2024-10-27 02:59:59",  # Amsterdam: last second of summer time
        5: "2024-10-27 02:00:00",  # 02:00-03:00 happens twice
    },
    "local_to_utc": {
        1: "2024-03-10 05:00:00",
        2: "2024-03-11 04:00:00",
        3: "2024-03-30 18:30:00",
        4: "2024-10-26 22:00:00",
        5: "2024-10-27 23:00:00",
    },
    "seconds_between": {1: 86400.0, 2: 1.000001, 3: 0.000001, 4: 0.0, 5: 0.500001},
    # 24 hours of UTC time or more, to the microsecond (over a leap day and a DST night)
    "lasts_a_day_or_more": {1: "yes", 2: "no", 3: "yes", 4: "no", 5: "yes", 6: "no"},
    # how many cases share the case's hash: only equal keys, not keys whose text runs together
    "key_hash": {1: 2, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1},
    "timestamp_literal": {
        1: "2024-02-29 23:59:59.999999",
        2: "2024-01-01 00:00:00",
        3: "2024-12-31 10:00:00.500000",
    },
}

# Statements whose Athena version sqlglot translates to DuckDB faithfully enough to run.
RUN_ATHENA_VERSION_ON_DUCKDB = (
    "parse_iso8601_utc",
    "trim_whitespace",
    "add_days",
    "date_series",
    "hour_number",
    "lasts_a_day_or_more",
    "timestamp_literal",
)


def _split(compiled: str) -> dict[str, str]:
    parts = re.split(r"^-- @@(\w+)\s*$", compiled, flags=re.MULTILINE)
    return {name: sql.strip() for name, sql in zip(parts[1::2], parts[2::2], strict=True)}


def _compile_inline(command_env_runner, target_path: Path) -> dict[str, str]:
    result = command_env_runner(
        [
            *dbt_command("compile", target_path=target_path),
            "--quiet",
            "--output",
            "json",
            "--inline",
            INLINE_SQL,
        ]
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return _split(json.loads(result.stdout)["compiled"])


@pytest.fixture(scope="module")
def duckdb_statements(dbt_local_env, tmp_path_factory) -> dict[str, str]:
    import subprocess

    def runner(command):
        return subprocess.run(
            [*command, "--target", "local"],
            env=dbt_local_env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )

    return _compile_inline(runner, tmp_path_factory.mktemp("macros_local"))


@pytest.fixture(scope="module")
def athena_statements(aws: FakeAws, tmp_path_factory) -> dict[str, str]:
    def runner(command):
        return run_with_fake_aws(
            [*command, "--target", "prod"], aws, cwd=REPO_ROOT, capture_output=True, text=True
        )

    return _compile_inline(runner, tmp_path_factory.mktemp("macros_prod"))


def _normalise(value):
    """Engine text for a timestamp (`...10:00:00.5`) as `...10:00:00.500000`, like the cases."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?", value):
        stamp = datetime.fromisoformat(value)
        return stamp.isoformat(sep=" ", timespec="microseconds" if stamp.microsecond else "seconds")
    if isinstance(value, datetime):
        return _normalise(str(value))
    if isinstance(value, date):
        return value.isoformat()
    return value


def _run(sql: str) -> list[tuple]:
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    return [tuple(_normalise(v) for v in row) for row in connection.execute(sql).fetchall()]


def _check_cases(name: str, rows: list[tuple]) -> None:
    got = dict(rows)
    expected = EXPECTED[name]
    if name == "seconds_between":
        got = {k: round(v, 6) for k, v in got.items()}
    mismatches = {
        key: {"expected": value, "got": got.get(key)}
        for key, value in expected.items()
        if got.get(key) != value
    }
    if name == "parse_iso8601_utc":
        mismatches = {ISO8601_CASES[key]["input"]: m for key, m in mismatches.items()}
    assert not mismatches, f"{name}: {mismatches}"


def test_every_macro_has_a_case_for_both_engines(duckdb_statements, athena_statements):
    macro_file = (REPO_ROOT / "dbt_project" / "macros" / "cross_database.sql").read_text()
    dispatched = set(re.findall(r"adapter\.dispatch\('(\w+)', 'cola'\)", macro_file))
    for name in dispatched:
        assert f"{{% macro duckdb__{name}(" in macro_file or f"{{% macro default__{name}(" in (
            macro_file
        ), f"{name} has no DuckDB version"
        assert f"{{% macro athena__{name}(" in macro_file, f"{name} has no athena__ version"
    assert dispatched <= set(duckdb_statements), dispatched - set(duckdb_statements)
    assert set(duckdb_statements) == set(athena_statements)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_duckdb_version_gives_the_expected_values(duckdb_statements, name):
    _check_cases(name, _run(duckdb_statements[name]))


def test_duckdb_date_series_and_build_timestamp(duckdb_statements):
    assert _run(duckdb_statements["date_series"]) == [(4, "2024-02-27", "2024-03-01")]
    [(built_at,)] = duckdb.connect().execute(duckdb_statements["build_timestamp"]).fetchall()
    assert isinstance(built_at, datetime)


@pytest.mark.parametrize("name", sorted({*EXPECTED, "date_series", "build_timestamp"}))
def test_athena_version_parses_as_athena_sql(athena_statements, name):
    sqlglot.parse_one(athena_statements[name], read="athena", error_level=ErrorLevel.RAISE)


@pytest.mark.parametrize("name", RUN_ATHENA_VERSION_ON_DUCKDB)
def test_athena_version_logic_gives_the_expected_values(athena_statements, name):
    sql = sqlglot.transpile(athena_statements[name], read="athena", write="duckdb")[0]
    rows = _run(sql)
    if name == "date_series":
        assert rows == [(4, "2024-02-27", "2024-03-01")]
    else:
        _check_cases(name, rows)


def test_athena_versions_use_trino_functions(athena_statements):
    """The Athena SQL names the Trino functions (not DuckDB's) for zones and day spines."""
    assert "at_timezone(with_timezone(" in athena_statements["utc_to_local"]
    assert "sequence(" in athena_statements["date_series"]
    assert "as timestamp(6)" in athena_statements["build_timestamp"]
    assert "as timestamp(6)" in athena_statements["timestamp_literal"]
    assert "xxhash64(to_utf8(" in athena_statements["key_hash"]
    for name, sql in athena_statements.items():
        for duckdb_only in ("regexp_matches(", "to_minutes(", "generate_series(", "timezone("):
            assert duckdb_only not in sql.replace("at_timezone(", "").replace(
                "with_timezone(", ""
            ), f"{name}: {duckdb_only}"
