"""Models hold no adapter-specific SQL: every engine difference goes through a dispatched macro
(dbt_project/macros/cross_database.sql). A pure text scan, no dbt needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.dbt_athena.moto_athena import DBT_PROJECT_DIR

MODELS_DIR = DBT_PROJECT_DIR / "models"

# pattern -> why it does not belong in a model
ZONES = "zoned timestamps: use utc_to_local / local_to_utc"
DUCKDB_ONLY = "a DuckDB-only function: wrap it in a dispatched macro"
ATHENA_ONLY = "an Athena-only function: wrap it in a dispatched macro"
FORBIDDEN = {
    r"::": "`::` casts: Athena does not parse them; use cast(x as type)",
    r"\btimestamptz\b|\btimestamp\s+with\s+time\s+zone\b": ZONES,
    r"\bat\s+time\s+zone\b": ZONES,
    r"\btarget\s*\.\s*(type|name)\b": "target switches: dispatch a macro instead",
    r"\badapter\s*\.\s*dispatch\b": "dispatch belongs in macros/, not in models",
    r"\b(regexp_matches|to_days|to_minutes|to_seconds|generate_series|epoch|epoch_ms|strftime"
    r"|strptime|list_\w+|string_split|struct_pack|read_csv\w*|read_text|read_parquet"
    r"|timezone|date_part|datediff)\s*\(": DUCKDB_ONLY,
    r"\binterval\s+\d": "unquoted interval (DuckDB): use a macro (add_days, date_series)",
    r"\b(regexp_like|at_timezone|with_timezone|from_iso8601_\w+|to_iso8601|from_unixtime"
    r"|to_unixtime|date_add|sequence|try|parse_datetime|format_datetime|date_parse)"
    r"\s*\(": ATHENA_ONLY,
    r'"\$(path|file_modified_time|file_size)"': "Athena hidden columns: see raw_file_columns()",
    r"\btimestamp\s*\(\s*\d\s*\)": "timestamp(p) precision: Athena-specific, use a macro",
}


def strip_comments(text: str) -> str:
    """Model text without Jinja comments and SQL line comments (strings are kept)."""
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)
    return re.sub(r"--[^\n]*", "", text)


def violations(text: str) -> list[str]:
    body = strip_comments(text)
    found = []
    for pattern, why in FORBIDDEN.items():
        for match in re.finditer(pattern, body, flags=re.IGNORECASE):
            line = body.count("\n", 0, match.start()) + 1
            found.append(f"line {line}: `{match.group(0)}`: {why}")
    return found


MODEL_FILES = sorted(MODELS_DIR.rglob("*.sql"))


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda path: path.name)
def test_model_has_no_adapter_specific_sql(path: Path):
    assert not violations(path.read_text()), f"{path.relative_to(DBT_PROJECT_DIR)}: " + "; ".join(
        violations(path.read_text())
    )


@pytest.mark.parametrize(
    "sql",
    [
        "select x::date from t",
        "select cast(x as timestamptz) from t",
        "select x at time zone 'UTC' from t",
        "{% if target.type == 'athena' %} select 1 {% endif %}",
        "select regexp_matches(x, 'a') from t",
        "select date_add('day', 1, d) from t",
        'select "$path" from t',
        "select d + interval 1 day from t",
        "select cast(x as timestamp(6)) from t",
    ],
)
def test_scan_catches_adapter_specific_sql(sql):
    assert violations(sql)


def test_scan_ignores_comments_and_macro_calls():
    sql = """
    {# a::b would be wrong, and so would timestamptz #}
    -- regexp_matches( in a comment is fine
    select {{ parse_iso8601_utc('reported_time_text') }} as reported_at,
        {{ date_series('a', 'b') }} as days
    from {{ ref('stg_factory__run_reports') }}
    """
    assert violations(sql) == []
