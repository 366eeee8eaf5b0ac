"""The contract of the marts, rule by rule, on small fixture files built on DuckDB."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cola.build import BuildError
from tests.dbt.conftest import FIXTURES


def _by(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


def test_blank_lines_and_header_are_skipped_and_bad_rows_are_invalid(warehouse):
    """Rule 1 on a file with a BOM, CRLF line ends, a header, blank and whitespace lines."""
    warehouse.land(FIXTURES / "messy_rows.csv")
    warehouse.build()

    issues = warehouse.rows(
        "select report_id, issue_detail, line_number from marts.fct_report_issues"
        " where issue_type = 'invalid_row' order by line_number"
    )
    assert [(i["report_id"], i["issue_detail"], i["line_number"]) for i in issues] == [
        ("x-1", "wrong_field_count", 5),
        ("x-2", "wrong_field_count", 6),
        (None, "missing_id", 7),
        ("x-4", "unknown_type", 8),
        ("x-5", "unparsable_time", 9),
        ("x-7", "missing_branch_id", 11),
        ("x-8", "unparsable_time", 12),
        ("x-9", "missing_machine_id", 13),
    ]
    # " START " and "Stop" are valid types; a time without an offset is UTC
    runs = warehouse.rows("select * from marts.fct_machine_runs")
    assert len(runs) == 1
    assert runs[0]["run_id"] == "v-1"
    assert runs[0]["stop_report_id"] == "v-2"
    assert runs[0]["stopped_at"] == datetime(2024, 1, 1, 10, 0)
    assert runs[0]["duration_seconds"] == 7200
    # header, blank and whitespace-only lines are not rows
    assert warehouse.query("select count(*) from staging.stg_factory__run_reports") == [(10,)]


def test_duplicates_keep_the_first_to_arrive(warehouse):
    """Rule 2: a repeated id, or the same branch, machine, type and instant, is a duplicate."""
    warehouse.land(FIXTURES / "duplicates_first.csv")
    warehouse.land(FIXTURES / "duplicates_later.csv")
    warehouse.build()

    duplicates = warehouse.rows(
        "select report_id, issue_detail, source_file, line_number from marts.fct_report_issues"
        " where issue_type = 'duplicate' order by source_file, line_number"
    )
    assert [(d["report_id"], d["issue_detail"], d["line_number"]) for d in duplicates] == [
        ("d-1", "repeated_id", 3),
        ("d-2", "repeated_id", 1),
        ("d-9", "same_machine_type_and_instant", 2),
    ]
    assert duplicates[0]["source_file"].startswith("duplicates_first__")
    assert duplicates[1]["source_file"].startswith("duplicates_later__")
    runs = warehouse.rows("select * from marts.fct_machine_runs")
    assert [(r["run_id"], r["stop_report_id"], r["duration_seconds"]) for r in runs] == [
        ("d-1", "d-2", 3600)
    ]


@pytest.mark.parametrize("first", ["b_eight_oclock", "a_seven_oclock"])
def test_the_earlier_landing_wins_over_the_file_name(warehouse, first):
    """Rule 2's order: landing time first, file name only between files landed together."""
    files = {
        "a_seven_oclock": warehouse.write(
            "a_seven_oclock.csv", "e-1,start,2024-01-05T07:00:00Z,0009,0009\n"
        ),
        "b_eight_oclock": warehouse.write(
            "b_eight_oclock.csv", "e-1,start,2024-01-05T08:00:00Z,0009,0009\n"
        ),
    }
    second = next(name for name in files if name != first)
    warehouse.land(files[first])
    time.sleep(1.1)  # landing times have one-second resolution on DuckDB
    warehouse.land(files[second])
    warehouse.build()

    (run,) = warehouse.rows("select * from marts.fct_machine_runs")
    expected_hour = 8 if first == "b_eight_oclock" else 7
    assert run["started_at"] == datetime(2024, 1, 5, expected_hour)
    (duplicate,) = warehouse.rows(
        "select * from marts.fct_report_issues where issue_type = 'duplicate'"
    )
    assert duplicate["source_file"].startswith(second)


def test_pairing_on_the_machine_timeline(warehouse):
    """Rule 3: order by time, a stop before a start at the same instant, then by id."""
    warehouse.land(FIXTURES / "timeline.csv")
    warehouse.build()

    runs = warehouse.rows("select * from marts.fct_machine_runs order by started_at")
    assert [
        (r["run_id"], r["stop_report_id"], r["duration_seconds"], r["is_open"]) for r in runs
    ] == [
        ("t-2", "t-3", 3600, False),
        ("t-6", "t-7", 3600, False),
        ("t-8", "t-9", 1800, False),
        ("t-10", None, None, True),
    ]
    issues = warehouse.query(
        "select issue_type, report_id from marts.fct_report_issues order by report_id"
    )
    assert issues == [("missing_stop", "t-1"), ("missing_start", "t-4"), ("missing_start", "t-5")]
    sent = dict(
        (line.split(",")[0], line.split(",")[2])
        for line in (FIXTURES / "timeline.csv").read_text().splitlines()
    )
    as_sent = warehouse.query("select report_id, reported_time_text from marts.fct_report_issues")
    assert dict(as_sent) == {report_id: sent[report_id] for _, report_id in issues}
    (day,) = warehouse.rows("select * from marts.fct_machine_daily")
    assert (day["report_date"], day["uptime_seconds"], day["runs_started"]) == (
        date(2024, 1, 1),
        9000,
        4,
    )
    (machine,) = warehouse.rows("select * from marts.dim_machines")
    assert machine["current_state"] == "running"
    assert machine["state_since"] == datetime(2024, 1, 1, 14)
    assert machine["lifetime_uptime_seconds"] == 9000


def test_days_are_cut_at_local_midnight_dst_correct(warehouse):
    """Rule 4: New York (DST both ways), Kolkata (+05:30), a branch not in the seed (UTC)."""
    warehouse.land(FIXTURES / "days_and_time_zones.csv")
    warehouse.build()

    days = {
        (d["branch_id"], d["machine_id"], d["report_date"]): d
        for d in warehouse.rows("select * from marts.fct_machine_daily")
    }
    expected = {
        # 22:00 EST to midnight, then midnight to 04:00 EDT on the 23-hour spring-forward day
        ("0001", "0001", date(2024, 3, 9)): (7200, 1, 86400),
        ("0001", "0001", date(2024, 3, 10)): (10800, 0, 82800),
        # 00:30 EDT to 23:30 EST on the 25-hour fall-back day
        ("0001", "0002", date(2024, 11, 3)): (86400, 1, 90000),
        # 23:00 to 01:00 India time
        ("0002", "0001", date(2024, 1, 3)): (3600, 1, 86400),
        ("0002", "0001", date(2024, 1, 4)): (3600, 0, 86400),
        # a branch not in the seed keeps UTC days
        ("0009", "0001", date(2024, 1, 3)): (3600, 1, 86400),
        ("0009", "0001", date(2024, 1, 4)): (1800.25, 0, 86400),
    }
    actual = {
        key: (day["uptime_seconds"], day["runs_started"], day["day_seconds"])
        for key, day in days.items()
    }
    assert actual == expected
    fall_back = days[("0001", "0002", date(2024, 11, 3))]
    assert fall_back["availability"] == pytest.approx(86400 / 90000)
    assert fall_back["timezone"] == "America/New_York"


def test_days_without_runs_are_included(warehouse):
    """One row per machine per local day from its first report's day to its last's."""
    warehouse.land_text(
        "gap.csv",
        "g-1,start,2024-02-01T10:00:00Z,0009,0003\n"
        "g-2,stop,2024-02-01T11:00:00Z,0009,0003\n"
        "g-3,stop,2024-02-05T11:00:00Z,0009,0003\n",
    )
    warehouse.build()
    days = warehouse.query(
        "select report_date, uptime_seconds, runs_started from marts.fct_machine_daily"
        " order by report_date"
    )
    assert days == [
        (date(2024, 2, 1), 3600.0, 1),
        (date(2024, 2, 2), 0.0, 0),
        (date(2024, 2, 3), 0.0, 0),
        (date(2024, 2, 4), 0.0, 0),
        (date(2024, 2, 5), 0.0, 0),
    ]


def test_every_raw_row_is_kept_duplicate_or_invalid(warehouse):
    """Rule 5, across all fixtures at once: raw rows = kept + duplicate + invalid."""
    warehouse.land(FIXTURES)
    warehouse.build()  # includes the reconciliation data test
    raw_lines = 0
    for path in FIXTURES.glob("*.csv"):
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            if line.strip() and not line.lower().startswith("id,type"):
                raw_lines += 1
    kept = warehouse.query("select count(*) from intermediate.int_run_reports_sequenced")[0][0]
    counts = dict(
        warehouse.query(
            "select issue_type, count(*) from marts.fct_report_issues group by issue_type"
        )
    )
    assert raw_lines == kept + counts["duplicate"] + counts["invalid_row"]


def test_reports_timed_after_their_landing_are_flagged_and_kept(warehouse):
    """A report timed more than 24 hours after its file was landed is a `future_time`
    issue, and still a kept report that pairs as usual; up to 24 hours ahead is fine."""
    landed = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    warehouse.land(
        warehouse.write(
            "clock_ahead.csv",
            "f-1,start,2024-03-02T11:59:00Z,0001,0001\n"  # 23 h 59 min ahead: fine
            "f-2,stop,2024-03-02T12:00:01Z,0001,0001\n"  # just over 24 h ahead: flagged
            "f-3,start,2099-01-01T00:00:00Z,0001,0001\n",  # far future: flagged
        ),
        at=landed,
    )
    warehouse.build()

    flagged = warehouse.rows(
        "select issue_id, report_id, line_number, source_file, issue_detail"
        " from marts.fct_report_issues where issue_type = 'future_time' order by line_number"
    )
    assert [(f["report_id"], f["line_number"]) for f in flagged] == [("f-2", 2), ("f-3", 3)]
    assert all(f["source_file"].startswith("clock_ahead__") for f in flagged)
    assert flagged[0]["issue_id"].endswith(":2/future_time")
    assert "2024-03-01 12:00:00" in flagged[0]["issue_detail"]
    runs = warehouse.rows("select run_id, stop_report_id, is_open from marts.fct_machine_runs")
    assert sorted((r["run_id"], r["stop_report_id"], r["is_open"]) for r in runs) == [
        ("f-1", "f-2", False),
        ("f-3", None, True),
    ]


def test_the_reconciliation_test_fails_when_a_raw_line_is_lost(warehouse):
    """The reconciliation data test is not vacuous: a raw line that staging never saw
    (here appended to a raw file after its build) makes the next build fail."""
    (result,) = warehouse.land_text("one_run.csv", "l-1,start,2024-03-01T08:00:00Z,0001,0001\n")
    warehouse.build()
    raw_file = warehouse.home / result.key
    with raw_file.open("a") as file:
        file.write("l-2,stop,2024-03-01T09:00:00Z,0001,0001\n")
    with pytest.raises(BuildError):
        warehouse.build(full_refresh=False)
    results = json.loads((Path(os.environ["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    failures = [r["unique_id"] for r in results["results"] if r["status"] == "fail"]
    assert failures == ["test.cola.assert_every_raw_row_is_accounted_for"]
