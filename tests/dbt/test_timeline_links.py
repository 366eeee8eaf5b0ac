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

# a link names the linked report by its time and type; each break sets one report's link
BREAKS = {
    "a next link to a lost report": ("r2", "next", "2024-01-01 10:30:00", "start"),
    "a previous link to a lost report": ("r3", "prev", "2024-01-01 08:30:00", "stop"),
    "a next link to the right time, wrong type": ("r2", "next", "2024-01-01 10:00:00", "stop"),
    "a link set only in part": ("r2", "next", "2024-01-01 10:00:00", None),
    "two reports with the same next report": ("r2", "next", "2024-01-01 11:00:00", "stop"),
    "two reports with the same previous report": ("r4", "prev", "2024-01-01 09:00:00", "stop"),
    "a next link not returned": ("r4", "next", "2024-01-01 08:00:00", "start"),
    "a first report that gains a previous link": ("r1", "prev", "2024-01-01 11:00:00", "stop"),
}


def _set_link(
    warehouse: Warehouse, report_id: str, side: str, time: object, report_type: str | None
) -> None:
    warehouse.query(
        f"update {TIMELINE} set {side}_reported_at = ?, {side}_report_type = ? where report_id = ?",
        [time, report_type, report_id],
    )


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

    for name, (report_id, side, time, report_type) in BREAKS.items():
        ((stored_time, stored_type),) = warehouse.query(
            f"select {side}_reported_at, {side}_report_type from {TIMELINE}"
            f" where report_id = '{report_id}'"
        )
        _set_link(warehouse, report_id, side, time, report_type)
        for full_refresh in (False, True):
            try:
                _run_link_test(warehouse, full_refresh=full_refresh)
            except BuildError:
                continue
            pytest.fail(f"{name}: the link test passed (full refresh: {full_refresh})")
        _set_link(warehouse, report_id, side, stored_time, stored_type)
    _run_link_test(warehouse, full_refresh=False)
