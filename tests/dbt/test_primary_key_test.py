"""The primary-key test (tests/generic/test_unique_and_not_null.sql) fails on a repeated
key and on a missing key: it is run on the timeline after breaking it on purpose."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cola.build import BuildError, run_dbt
from tests.dbt.warehouse import Warehouse

TIMELINE = "intermediate.int_run_reports_sequenced"
KEY_TEST = "unique_and_not_null_int_run_reports_sequenced_report_id"

REPORTS = (
    "r1,start,2024-01-01T08:00:00Z,0001,0001\n"
    "r2,stop,2024-01-01T09:00:00Z,0001,0001\n"
    "r3,start,2024-01-01T10:00:00Z,0001,0002\n"
)


def _run_key_test(warehouse: Warehouse) -> None:
    # the test checks the newest build's rows: here one build wrote every row
    run_dbt(warehouse.home, ["test", "--select", KEY_TEST])


def _key_test_fails(warehouse: Warehouse) -> bool:
    try:
        _run_key_test(warehouse)
    except BuildError:
        return True
    return False


@pytest.mark.parametrize(
    "break_sql",
    [
        pytest.param(
            f"update {TIMELINE} set report_id = 'r1' where report_id = 'r2'", id="repeated"
        ),
        pytest.param(f"update {TIMELINE} set report_id = null where report_id = 'r3'", id="null"),
        pytest.param(
            f"insert into {TIMELINE} select * from {TIMELINE} where report_id = 'r3'",
            id="row-twice",
        ),
    ],
)
def test_the_key_test_fails_on_a_repeated_or_missing_key(warehouse, break_sql):
    warehouse.land_text("reports.csv", REPORTS)
    warehouse.build(tests=False)
    _run_key_test(warehouse)
    warehouse.query(break_sql)
    assert _key_test_fails(warehouse)


def test_the_key_test_returns_each_bad_key_once(warehouse):
    """A key that repeats and a missing key: two failing rows, however many rows share them."""
    warehouse.land_text("reports.csv", REPORTS)
    warehouse.build(tests=False)
    warehouse.query(f"update {TIMELINE} set report_id = 'r1' where report_id = 'r2'")
    warehouse.query(f"update {TIMELINE} set report_id = null where report_id = 'r3'")
    assert _key_test_fails(warehouse)
    results = json.loads((Path(os.environ["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    [result] = [r for r in results["results"] if r["unique_id"].startswith(f"test.cola.{KEY_TEST}")]
    assert (result["status"], result["failures"]) == ("fail", 2)
