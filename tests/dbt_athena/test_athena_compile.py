"""`dbt compile --target prod` on moto, full and incremental, and the SQL it gives parses as Athena.

What this proves: every model's Jinja renders for dbt-athena with the Glue catalog answering,
in both branches of is_incremental(), and the result is SQL sqlglot's athena (Trino) dialect
parses. What it cannot prove: that Athena accepts and runs it (functions, types, limits).
"""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from tests.dbt_athena.conftest import NEWEST_INGEST_DATE_FLOOR

PASSES = ("full", "incremental")


def _relation(node: dict) -> str:
    return f'"{node["database"]}"."{node["schema"]}"."{node["alias"]}"'


@pytest.mark.parametrize("compile_pass", PASSES)
def test_every_model_compiles_for_athena(athena_compiled, compile_pass):
    compiled = athena_compiled[compile_pass]
    models = compiled.models()
    assert models, "no models in the manifest"
    for name in models:
        assert compiled.compiled_sql(name).strip(), f"{name} compiled to nothing"


def test_incremental_models_render_both_branches(athena_compiled):
    full, incremental = athena_compiled["full"], athena_compiled["incremental"]
    incremental_models = [
        name
        for name, node in full.models().items()
        if node["config"]["materialized"] == "incremental"
    ]
    assert {"stg_factory__run_reports", "int_run_reports_sequenced", "fct_machine_daily"} <= set(
        incremental_models
    )
    # an incremental branch reads the model's own table, or only the upstream rows written
    # since its last build (looked up at compile time and written as a literal)
    built_since = re.compile(r"_built_at > cast\('[^']+' as timestamp\(6\)\)")
    for name in incremental_models:
        this = _relation(full.models()[name])
        full_sql, incremental_sql = full.compiled_sql(name), incremental.compiled_sql(name)
        assert this not in full_sql, f"{name}: full build reads itself"
        assert not built_since.search(full_sql), f"{name}: full build reads only new rows"
        assert this in incremental_sql or built_since.search(incremental_sql), (
            f"{name}: incremental branch not rendered"
        )


def test_the_source_is_the_glue_raw_table(athena_compiled):
    sql = athena_compiled["full"].compiled_sql("stg_factory__run_reports")
    assert '"awsdatacatalog"."raw"."run_reports"' in sql
    assert "read_text(" not in sql


def test_incremental_staging_prunes_raw_partitions_with_a_literal(athena_compiled):
    """Partition projection prunes at planning time only on constants."""
    sql = athena_compiled["incremental"].compiled_sql("stg_factory__run_reports")
    assert f"where ingest_date >= '{NEWEST_INGEST_DATE_FLOOR}'" in sql


@pytest.mark.parametrize("compile_pass", PASSES)
def test_compiled_models_parse_as_athena_sql(athena_compiled, compile_pass):
    compiled = athena_compiled[compile_pass]
    failures = {}
    for name in compiled.models():
        try:
            sqlglot.parse_one(
                compiled.compiled_sql(name), read="athena", error_level=ErrorLevel.RAISE
            )
        except sqlglot.errors.ParseError as error:
            failures[name] = str(error)[:500]
    assert not failures, failures


def test_every_compiled_node_parses_as_athena_sql(athena_compiled):
    """Data tests and singular tests too: they run on Athena in `dbt build`."""
    compiled_dir = athena_compiled["incremental"].target_path / "compiled"
    paths = sorted(compiled_dir.rglob("*.sql"))
    assert len(paths) > len(athena_compiled["incremental"].models())
    failures = {}
    for path in paths:
        try:
            sqlglot.parse_one(path.read_text(), read="athena", error_level=ErrorLevel.RAISE)
        except sqlglot.errors.ParseError as error:
            failures[str(path.relative_to(compiled_dir))] = str(error)[:300]
    assert not failures, failures


RAW_TABLE = '"awsdatacatalog"."raw"."run_reports"'


def test_an_incremental_build_reads_raw_partitions_only_from_a_literal_date(athena_compiled):
    """What Athena bills is what it scans: in an incremental build, every query that reads
    the raw zone (staging and the reconciliation test) filters its landing-date partitions
    with a literal, which partition projection prunes before anything is read. Sqlglot finds
    the filter in the same SELECT as the raw table, not merely somewhere in the text."""
    compiled_dir = athena_compiled["incremental"].target_path / "compiled"
    readers = {}
    for path in sorted(compiled_dir.rglob("*.sql")):
        sql = path.read_text()
        if RAW_TABLE not in sql:
            continue
        tree = sqlglot.parse_one(sql, read="athena")
        for table in tree.find_all(sqlglot.exp.Table):
            if table.name != "run_reports" or table.db != "raw":
                continue
            where = table.find_ancestor(sqlglot.exp.Select).args.get("where")
            literal_floor = where is not None and any(
                comparison.this.name == "ingest_date"
                and isinstance(comparison.expression, sqlglot.exp.Literal)
                for comparison in where.find_all(sqlglot.exp.GTE)
            )
            readers[str(path.relative_to(compiled_dir))] = literal_floor
    assert any("stg_factory__run_reports" in name for name in readers), readers
    assert any("assert_every_raw_row_is_accounted_for" in name for name in readers), readers
    assert all(readers.values()), readers
