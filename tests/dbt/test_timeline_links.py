"""The timeline's link test (tests/generic/test_links_point_both_ways.sql) fails on every
way a chain of reports can break, both as a full refresh runs it (the whole timeline
paired with itself) and as an incremental build does (the rows written, looked up)."""

from __future__ import annotations

import pytest

from cola.build import BuildError, run_dbt
from tests.dbt.warehouse import Warehouse

TIMELINE = "intermediate.int_run_reports_sequenced"
LINK_TEST = "test_name:links_point_both_ways"

# one machine: r1 start, r2 stop, r3 start, r4 stop
REPORTS = (
    "r1,start,2024-01-01T08:00:00Z,0001,0001\n"
    "r2,stop,2024-01-01T09:00:00Z,0001,0001\n"
    "r3,start,2024-01-01T10:00:00Z,0001,0001\n"
    "r4,stop,2024-01-01T11:00:00Z,0001,0001\n"
)

BREAKS = {
    "a next link to a lost report": ("next_report_id", "r2", "lost"),
    "a previous link to a lost report": ("prev_report_id", "r3", "lost"),
    "two reports with the same next report": ("next_report_id", "r2", "r4"),
    "two reports with the same previous report": ("prev_report_id", "r4", "r2"),
    "a next link not returned": ("next_report_id", "r4", "r1"),
    "a first report that gains a previous link": ("prev_report_id", "r1", "r4"),
}


def _run_link_test(warehouse: Warehouse, *, full_refresh: bool) -> None:
    """The link test alone; with full_refresh as a `dbt build --full-refresh` runs it
    (selecting the test only, so that the broken table is not rebuilt)."""
    if full_refresh:
        run_dbt(warehouse.home, ["build", "--select", LINK_TEST, "--full-refresh"])
    else:
        run_dbt(warehouse.home, ["test", "--select", LINK_TEST])


def test_the_link_test_fails_on_every_broken_chain(warehouse):
    warehouse.land_text("reports.csv", REPORTS)
    warehouse.build(tests=False)
    for full_refresh in (False, True):
        _run_link_test(warehouse, full_refresh=full_refresh)

    for name, (column, report_id, value) in BREAKS.items():
        (stored,) = warehouse.query(
            f"select {column} from {TIMELINE} where report_id = '{report_id}'"
        )[0]
        warehouse.query(
            f"update {TIMELINE} set {column} = '{value}' where report_id = '{report_id}'"
        )
        for full_refresh in (False, True):
            try:
                _run_link_test(warehouse, full_refresh=full_refresh)
            except BuildError:
                continue
            pytest.fail(f"{name}: the link test passed (full refresh: {full_refresh})")
        restore = "null" if stored is None else f"'{stored}'"
        warehouse.query(
            f"update {TIMELINE} set {column} = {restore} where report_id = '{report_id}'"
        )
    _run_link_test(warehouse, full_refresh=False)
