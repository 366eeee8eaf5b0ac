"""Incremental builds give the same marts as a full rebuild, whatever the arrival order."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cola.build import BuildError
from cola.summary import summarize
from tests.dbt.oracle import expected_marts
from tests.dbt.warehouse import Warehouse


def _land_after_a_tick(warehouse: Warehouse, name: str, text: str) -> None:
    """Landing times have one-second resolution: later batches land in a later second."""
    time.sleep(1.05)
    warehouse.land_text(name, text)


def _assert_same_as_full_refresh(warehouse: Warehouse) -> dict:
    incremental = warehouse.marts()
    warehouse.build(full_refresh=True)
    assert warehouse.marts() == incremental
    return incremental


def test_a_late_start_leaves_a_stored_start_unpaired_and_its_issue_shows_the_time_sent(
    warehouse,
):
    warehouse.land_text(
        "first.csv",
        "a,start,2024-01-01T09:00:00+01:00,0009,0001\nc,stop,2024-01-01T11:00:00Z,0009,0001\n",
    )
    warehouse.build()
    assert warehouse.query("select count(*) from marts.fct_report_issues") == [(0,)]

    _land_after_a_tick(warehouse, "late.csv", "b,start,2024-01-01T09:00:00Z,0009,0001\n")
    warehouse.build()
    assert warehouse.query(
        "select issue_type, report_id, reported_time_text from marts.fct_report_issues"
    ) == [("missing_stop", "a", "2024-01-01T09:00:00+01:00")]
    _assert_same_as_full_refresh(warehouse)


def test_rewritten_timeline_rows_replace_the_stored_rows_they_were_read_from(warehouse):
    """The timeline deletes the rows it rewrites by the row numbers it read them at: after
    a late report, every report is on the timeline once, with its new neighbours."""
    warehouse.land_text(
        "first.csv",
        "a,start,2024-01-01T08:00:00Z,0001,0001\n"
        "b,stop,2024-01-01T10:00:00Z,0001,0001\n"
        "c,start,2024-01-01T12:00:00Z,0001,0001\n",
    )
    warehouse.build()
    _land_after_a_tick(warehouse, "late.csv", "x,stop,2024-01-01T09:00:00Z,0001,0001\n")
    warehouse.build()
    assert warehouse.query(
        "select report_id, report_role, next_report_id"
        " from intermediate.int_run_reports_sequenced order by reported_at"
    ) == [
        ("a", "run_start", "x"),
        ("x", "run_stop", "b"),
        ("b", "missing_start", "c"),
        ("c", "open_run_start", None),
    ]


def test_a_rewritten_report_keeps_the_id_of_a_next_report_the_build_did_not_read(
    warehouse,
):
    """The incremental timeline reads its stored reports without their links' ids. A late
    report hours before its stored successor rewrites that successor (its previous report
    changes) while its next report, from another hour, is not among the rows read: the
    build looks that report's id up by its instant."""
    warehouse.land_text(
        "first.csv",
        "a,start,2024-01-01T08:00:00Z,0001,0001\n"
        "b,stop,2024-01-01T08:30:00Z,0001,0001\n"
        "c,start,2024-01-01T12:00:00Z,0001,0001\n"
        "d,stop,2024-01-01T12:30:00Z,0001,0001\n",
    )
    warehouse.build()
    _land_after_a_tick(warehouse, "late.csv", "x,start,2024-01-01T09:00:00Z,0001,0001\n")
    warehouse.build()
    assert warehouse.query(
        "select report_id, report_role, next_report_id,"
        " _built_at = (select max(_built_at) from intermediate.int_run_reports_sequenced)"
        " from intermediate.int_run_reports_sequenced order by reported_at"
    ) == [
        ("a", "run_start", "b", False),
        ("b", "run_stop", "x", True),
        ("x", "missing_stop", "c", True),
        ("c", "run_start", "d", True),  # rewritten: its previous report is now x
        ("d", "run_stop", None, False),
    ]
    assert warehouse.query(
        "select run_id, stop_report_id from marts.fct_machine_runs order by started_at"
    ) == [("a", "b"), ("c", "d")]
    _assert_same_as_full_refresh(warehouse)


def test_a_timeline_table_that_lost_step_with_the_model_fails_the_build(warehouse):
    """The timeline's strategy takes the table's columns as they are, so it checks them
    itself: a table whose columns are not the model's fails the incremental build (it
    needs a full refresh), as `on_schema_change: fail` makes the other models do."""
    warehouse.land_text("first.csv", "a,start,2024-01-01T08:00:00Z,0001,0001\n")
    warehouse.build()
    warehouse.query("alter table intermediate.int_run_reports_sequenced add column note varchar")
    _land_after_a_tick(warehouse, "second.csv", "b,stop,2024-01-01T09:00:00Z,0001,0001\n")
    with pytest.raises(BuildError):
        warehouse.build()
    results = json.loads((Path(os.environ["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    (timeline,) = [
        r for r in results["results"] if r["unique_id"].endswith(".int_run_reports_sequenced")
    ]
    assert timeline["status"] == "error"
    assert "replace_rows" in timeline["message"] and "--full-refresh" in timeline["message"]
    warehouse.build(full_refresh=True)
    assert warehouse.query(
        "select report_id, report_role from intermediate.int_run_reports_sequenced"
        " order by reported_at"
    ) == [("a", "run_start"), ("b", "run_stop")]


def test_machines_keep_their_ends_and_move_them_when_a_report_lands_beyond_one(warehouse):
    """dim_machines reads only the timeline rows a build wrote: a machine whose reports
    all land in between keeps its stored first and last report, a report before the first
    or after the last moves that end, and a machine's first report adds it."""
    warehouse.land_text(
        "first.csv",
        "a,start,2024-01-02T08:00:00Z,0001,0001\n"
        "b,stop,2024-01-02T09:00:00Z,0001,0001\n"
        "c,start,2024-01-02T12:00:00Z,0001,0001\n"
        "d,stop,2024-01-02T13:00:00Z,0001,0001\n"
        "e,start,2024-01-02T08:00:00Z,0001,0002\n"
        "f,stop,2024-01-02T09:00:00Z,0001,0002\n",
    )
    warehouse.build()
    _land_after_a_tick(
        warehouse,
        "late.csv",
        "g,start,2024-01-02T10:00:00Z,0001,0001\n"  # between: machine 1 keeps its ends
        "h,stop,2024-01-02T11:00:00Z,0001,0001\n"
        "i,stop,2024-01-01T23:00:00Z,0001,0002\n"  # before machine 2's first report
        "j,start,2024-01-02T10:00:00Z,0001,0002\n"  # after its last: running now
        "k,start,2024-01-03T07:00:00Z,0002,0001\n",  # a new machine
    )
    warehouse.build()
    machines = warehouse.query(
        "select machine_key, first_reported_at, last_reported_at, current_state, runs,"
        " lifetime_uptime_seconds from marts.dim_machines order by machine_key"
    )
    assert machines == [
        ("0001:0001", datetime(2024, 1, 2, 8), datetime(2024, 1, 2, 13), "stopped", 3, 10800.0),
        ("0001:0002", datetime(2024, 1, 1, 23), datetime(2024, 1, 2, 10), "running", 2, 3600.0),
        ("0002:0001", datetime(2024, 1, 3, 7), datetime(2024, 1, 3, 7), "running", 1, 0.0),
    ]
    _assert_same_as_full_refresh(warehouse)


def test_a_late_stop_resolves_an_earlier_missing_stop(warehouse):
    warehouse.land_text(
        "first.csv",
        "a,start,2024-01-01T08:00:00Z,0009,0001\n"
        "b,start,2024-01-01T10:00:00Z,0009,0001\n"
        "c,stop,2024-01-01T11:00:00Z,0009,0001\n",
    )
    warehouse.build()
    assert warehouse.query("select issue_type, report_id from marts.fct_report_issues") == [
        ("missing_stop", "a")
    ]

    _land_after_a_tick(warehouse, "late.csv", "x,stop,2024-01-01T09:00:00Z,0009,0001\n")
    warehouse.build()
    assert warehouse.query("select count(*) from marts.fct_report_issues") == [(0,)]
    assert warehouse.query(
        "select run_id, stop_report_id, duration_seconds from marts.fct_machine_runs"
        " order by run_id"
    ) == [("a", "x", 3600.0), ("b", "c", 3600.0)]
    _assert_same_as_full_refresh(warehouse)


def test_stops_that_land_before_their_starts(warehouse):
    warehouse.land_text(
        "stops.csv",
        "s-2,stop,2024-01-01T09:00:00Z,0009,0001\ns-4,stop,2024-01-02T09:00:00Z,0009,0001\n",
    )
    warehouse.build()
    assert warehouse.query("select count(*) from marts.fct_report_issues") == [(2,)]

    _land_after_a_tick(
        warehouse,
        "starts.csv",
        "s-1,start,2024-01-01T08:00:00Z,0009,0001\ns-3,start,2024-01-01T23:00:00Z,0009,0001\n",
    )
    warehouse.build()
    assert warehouse.query("select count(*) from marts.fct_report_issues") == [(0,)]
    assert warehouse.query(
        "select report_date, uptime_seconds, runs_started from marts.fct_machine_daily"
        " order by report_date"
    ) == [(date(2024, 1, 1), 3600.0 + 3600.0, 2), (date(2024, 1, 2), 9 * 3600.0, 0)]
    _assert_same_as_full_refresh(warehouse)


def test_redelivered_files_change_nothing_and_copies_are_duplicates(warehouse):
    text = "r-1,start,2024-01-01T08:00:00Z,0009,0001\nr-2,stop,2024-01-01T09:00:00Z,0009,0001\n"
    path = warehouse.write("report.csv", text)
    assert [r.outcome for r in warehouse.land(path)] == ["landed"]
    warehouse.build()
    before = warehouse.marts()

    for _ in range(3):
        assert [r.outcome for r in warehouse.land(path)] == ["already_landed"]
    warehouse.build()
    assert warehouse.marts() == before

    _land_after_a_tick(warehouse, "copy/report.csv", text)
    warehouse.build()
    assert warehouse.query(
        "select issue_type, issue_detail, count(*) from marts.fct_report_issues group by all"
    ) == [("duplicate", "repeated_id", 2)]
    assert warehouse.marts()["fct_machine_runs"] == before["fct_machine_runs"]
    _assert_same_as_full_refresh(warehouse)


def test_a_run_of_days_still_counts_on_a_day_rebuilt_near_its_end(warehouse):
    """Days are rebuilt from the runs that started around them, plus long runs: a run of
    three days counts on its last day when only that day is rebuilt."""
    warehouse.land_text(
        "long.csv",
        "l-1,start,2024-01-01T08:00:00Z,0009,0001\n"
        "l-2,stop,2024-01-04T08:00:00Z,0009,0001\n"
        "l-3,start,2024-01-04T10:00:00Z,0009,0001\n"
        "l-4,stop,2024-01-04T11:00:00Z,0009,0001\n",
    )
    warehouse.build()

    # changes the links of l-3 and l-4 only: Jan 4 is rebuilt, the long run is untouched
    _land_after_a_tick(warehouse, "late.csv", "l-5,stop,2024-01-04T10:30:00Z,0009,0001\n")
    warehouse.build()
    assert warehouse.query(
        "select report_date, uptime_seconds, runs_started from marts.fct_machine_daily"
        " order by report_date"
    ) == [
        (date(2024, 1, 1), 16 * 3600.0, 1),
        (date(2024, 1, 2), 24 * 3600.0, 0),
        (date(2024, 1, 3), 24 * 3600.0, 0),
        (date(2024, 1, 4), 8.5 * 3600.0, 1),
    ]
    _assert_same_as_full_refresh(warehouse)


def test_a_late_report_rewrites_only_the_days_it_touches(warehouse):
    warehouse.land_text(
        "week.csv",
        "".join(
            f"w-{day}a,start,2024-01-{day:02d}T08:00:00Z,0009,0001\n"
            f"w-{day}b,stop,2024-01-{day:02d}T09:00:00Z,0009,0001\n"
            for day in range(1, 8)
        ),
    )
    warehouse.build()
    built_before = dict(
        warehouse.query("select report_date, _built_at from marts.fct_machine_daily")
    )

    # a run on the 4th that was missed, between that day's stop and the next day's start
    _land_after_a_tick(
        warehouse,
        "late.csv",
        "w-late-a,start,2024-01-04T20:00:00Z,0009,0001\n"
        "w-late-b,stop,2024-01-04T22:00:00Z,0009,0001\n",
    )
    warehouse.build()
    built_after = dict(
        warehouse.query("select report_date, _built_at from marts.fct_machine_daily")
    )
    rewritten = sorted(day for day in built_after if built_after[day] != built_before[day])
    assert rewritten == [date(2024, 1, 4), date(2024, 1, 5)]
    assert warehouse.query(
        "select uptime_seconds from marts.fct_machine_daily where report_date = '2024-01-04'"
    ) == [(3 * 3600.0,)]
    _assert_same_as_full_refresh(warehouse)


def test_late_reports_find_their_neighbours_across_hours_without_reports(warehouse):
    """The timeline reads only stored reports near the new ones: in their hour, linked
    from those, or a link spanning a whole hour. Every kind of gap still finds the right
    neighbours, and only the new reports and their neighbours are rewritten."""
    warehouse.land_text(
        "day.csv",
        "a,start,2024-01-01T08:10:00Z,0009,0001\n"
        "b,stop,2024-01-01T08:40:00Z,0009,0001\n"
        "c,start,2024-01-01T14:20:00Z,0009,0001\n"  # b -> c spans hours 9 to 13
        "d,stop,2024-01-01T14:50:00Z,0009,0001\n"
        "e,start,2024-01-02T09:00:00Z,0009,0001\n"  # the machine's last report
        "f,stop,2024-01-02T09:10:00Z,0009,0002\n",  # another machine, untouched
    )
    warehouse.build()

    _land_after_a_tick(
        warehouse,
        "late.csv",
        "w,stop,2024-01-01T08:20:00Z,0009,0001\n"  # in a stored hour, between a and b
        "x,stop,2024-01-01T11:30:00Z,0009,0001\n"  # in an hour without stored reports
        "y,start,2024-01-01T06:00:00Z,0009,0001\n"  # before the machine's first report
        "z,stop,2024-01-02T12:00:00Z,0009,0001\n",  # after its last report
    )
    warehouse.build()
    # the previous report is linked by its time and type
    timeline = warehouse.query(
        "select report.report_id, prev.report_id, report.next_report_id, report.report_role,"
        " report._built_at = (select max(_built_at) from intermediate.int_run_reports_sequenced)"
        " from intermediate.int_run_reports_sequenced as report"
        " left join intermediate.int_run_reports_sequenced as prev"
        " on prev.machine_id = report.machine_id and prev.branch_id = report.branch_id"
        " and prev.reported_at = report.prev_reported_at"
        " and prev.report_type = report.prev_report_type"
        " where report.machine_id = '0001' order by report.reported_at"
    )
    assert timeline == [
        ("y", None, "a", "missing_stop", True),
        ("a", "y", "w", "run_start", True),
        ("w", "a", "b", "run_stop", True),
        ("b", "w", "x", "missing_start", True),
        ("x", "b", "c", "missing_start", True),
        ("c", "x", "d", "run_start", True),
        ("d", "c", "e", "run_stop", False),
        ("e", "d", "z", "run_start", True),
        ("z", "e", None, "run_stop", True),
    ]
    _assert_same_as_full_refresh(warehouse)


def test_lookup_keys_shared_by_every_stored_report_only_make_the_timeline_read_more(warehouse):
    """The timeline finds stored reports by two hashes (`machine_hour_key`, `instant_key`).
    A hash shared by other keys only adds stored reports to those read, and a stored report
    read that is no neighbour of a new one keeps its links. Here every stored report of
    two machines shares the keys of the one a late report follows: the build reads them
    all, and gives the links the rules give, as a full refresh does."""
    warehouse.land_text(
        "day.csv",
        "a,start,2024-01-01T08:10:00Z,0009,0001\n"
        "b,stop,2024-01-01T08:40:00Z,0009,0001\n"
        "c,start,2024-01-01T14:20:00Z,0009,0001\n"
        "d,stop,2024-01-01T14:50:00Z,0009,0001\n"
        "e,start,2024-01-01T08:15:00Z,0009,0002\n"
        "f,stop,2024-01-01T09:10:00Z,0009,0002\n",
    )
    warehouse.build()
    warehouse.query(
        "update intermediate.int_run_reports_sequenced set"
        " machine_hour_key = a.machine_hour_key, instant_key = a.instant_key"
        " from (select machine_hour_key, instant_key from intermediate.int_run_reports_sequenced"
        " where report_id = 'a') as a"
    )
    assert warehouse.query(
        "select count(distinct machine_hour_key), count(distinct instant_key), count(*)"
        " from intermediate.int_run_reports_sequenced"
    ) == [(1, 1, 6)]

    _land_after_a_tick(warehouse, "late.csv", "w,stop,2024-01-01T08:20:00Z,0009,0001\n")
    warehouse.build()
    # the last column: rewritten by the build (only the new report and its two neighbours)
    links = warehouse.query(
        "select report_id, prev_report_type, prev_reported_at, next_report_id, report_role,"
        " _built_at = (select max(_built_at) from intermediate.int_run_reports_sequenced)"
        " from intermediate.int_run_reports_sequenced order by machine_id, reported_at"
    )
    at = datetime(2024, 1, 1, 8)
    assert links == [
        ("a", None, None, "w", "run_start", True),
        ("w", "start", at.replace(minute=10), "b", "run_stop", True),
        ("b", "stop", at.replace(minute=20), "c", "missing_start", True),
        ("c", "stop", at.replace(minute=40), "d", "run_start", False),
        ("d", "start", at.replace(hour=14, minute=20), None, "run_stop", False),
        ("e", None, None, "f", "run_start", False),
        ("f", "start", at.replace(minute=15), None, "run_stop", False),
    ]
    _assert_same_as_full_refresh(warehouse)


# --- property: any stream, split into any batches, gives the rules' marts -----------------

REPORT_IDS = [f"id-{n}" for n in range(12)]
MACHINES = [("0001", "0001"), ("0009", "0002")]
# a grid of times around New York's spring-forward night, so ties and midnights are common
TIMES = [
    datetime(2024, 3, 9, 20) + n * (datetime(2024, 3, 9, 1) - datetime(2024, 3, 9)) * 2
    for n in range(14)
]

report_lines = st.one_of(
    st.builds(
        lambda report_id, report_type, at, machine, offset: ",".join(
            [report_id, report_type, _iso(at, offset), *machine]
        ),
        st.sampled_from(REPORT_IDS),
        st.sampled_from(["start", "stop", " Stop ", "START"]),
        st.sampled_from(TIMES),
        st.sampled_from(MACHINES),
        st.sampled_from([0, -5, 2]),
    ),
    st.sampled_from(["", "bad,start,not-a-time,0009,0002", "x,start,2024-03-10T01:00:00Z,0009"]),
)


def _iso(at: datetime, offset_hours: int) -> str:
    local = (
        at.replace(tzinfo=None) + (datetime(2024, 1, 1, 1) - datetime(2024, 1, 1)) * offset_hours
    )
    sign = "+" if offset_hours >= 0 else "-"
    return local.isoformat() + (f"{sign}{abs(offset_hours):02d}:00" if offset_hours else "Z")


files = st.lists(report_lines, min_size=1, max_size=8).map(lambda lines: "\n".join(lines) + "\n")
batches = st.lists(st.lists(files, min_size=1, max_size=2), min_size=1, max_size=3)


# tests/reliability/test_properties.py runs the same check on larger, richer streams
@settings(
    max_examples=int(os.environ.get("COLA_PROPERTY_EXAMPLES", "5")),
    deadline=None,
    derandomize=os.environ.get("COLA_PROPERTY_RANDOM") is None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=batches)
def test_incremental_builds_match_the_rules_and_a_full_refresh(tmp_path_factory, batches):
    root = tmp_path_factory.mktemp("stream")
    warehouse = Warehouse(home=root / "home", incoming=root / "incoming")
    arrival: list[str] = []
    for number, batch in enumerate(batches):
        paths = [
            warehouse.write(f"b{number:02d}/f{index:02d}.csv", t) for index, t in enumerate(batch)
        ]
        # each batch lands a second after the one before, long after the reports' times
        warehouse.land(*paths, at=datetime(2025, 1, 1, tzinfo=UTC) + number * timedelta(seconds=1))
        arrival.extend(batch)
        warehouse.build(tests=False)

    expected = expected_marts(arrival)
    marts = _assert_same_as_full_refresh(warehouse)

    runs = {
        row[0]: row
        for row in warehouse.query(
            "select run_id, branch_id, machine_id, started_at, stopped_at, duration_seconds,"
            " is_open from marts.fct_machine_runs"
        )
    }
    assert {key: row[1:] for key, row in runs.items()} == expected.runs
    issues = dict(
        warehouse.query(
            "select issue_type, count(*) from marts.fct_report_issues group by issue_type"
        )
    )
    assert issues == dict(expected.issue_counts)
    days = {
        (row[0], row[1], row[2]): (row[3], row[4], row[5])
        for row in warehouse.query(
            "select branch_id, machine_id, report_date, round(uptime_seconds, 6), runs_started,"
            " day_seconds from marts.fct_machine_daily"
        )
    }
    assert days == expected.days
    assert len(marts["fct_machine_daily"]) == len(expected.days)

    # the totals `cola build` prints, read from the daily facts and the open runs
    machines = {(branch_id, machine_id) for branch_id, machine_id, _ in expected.days}
    open_runs = sum(1 for run in expected.runs.values() if run[5])
    hours = sum(run[4] or 0 for run in expected.runs.values()) / 3600
    assert summarize(warehouse.home / "warehouse.duckdb").splitlines()[:2] == [
        f"machines: {len(machines)} ({open_runs} running now)",
        f"runs: {len(expected.runs)} ({open_runs} open), {hours:,.1f} machine-hours of uptime",
    ]
