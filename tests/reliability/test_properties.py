"""Property-based, at scale: reports from random machines around the days the clocks change,
with orphans, duplicates and ties, cut into random files landed in random batches and built
incrementally on DuckDB. The marts must be those of a full refresh, those of the rules
written again in plain Python (tests/dbt/oracle.py), and keep their invariants.

`make test` runs a few examples, the same every time (COLA_PROPERTY_EXAMPLES, default 6;
COLA_PROPERTY_RANDOM=1 draws new ones); `make soak` runs COLA_SOAK_EXAMPLES random ones.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.dbt.oracle import expected_marts, read_rows
from tests.dbt.warehouse import Warehouse

SOAK_EXAMPLES = os.environ.get("COLA_SOAK_EXAMPLES")
EXAMPLES = int(SOAK_EXAMPLES or os.environ.get("COLA_PROPERTY_EXAMPLES", "6"))
examples_passed = 0

DST_CHANGES = [  # in UTC, and the branch whose clocks change
    (datetime(2024, 3, 10, 7), "0001"),  # New York springs forward
    (datetime(2024, 11, 3, 6), "0001"),  # New York falls back
    (datetime(2024, 3, 31, 1), "0003"),  # Amsterdam springs forward
    (datetime(2024, 10, 27, 1), "0003"),  # Amsterdam falls back
]
SLOT = timedelta(minutes=30)  # every branch's local midnight falls on a slot (Kolkata: 18:30Z)
SLOTS = 144  # three days around the change
MACHINES = [(branch, machine) for branch in ("0001", "0002", "0003", "0009") for machine in "12"]
OFFSETS = ["Z", "+00:00", "-05:00", "+05:30", "+02:00", ""]
SPELLINGS = {"start": ["start", "START", " Start "], "stop": ["stop", "STOP", " stop "]}
OTHER_LINES = [
    "",
    "   ",
    "bad-time,start,2024-03-10 at noon,0001,1",
    "bad-type,pause,2024-03-10T01:00:00Z,0001,1",
    "too-few,start,2024-03-10T01:00:00Z,0001",
    "too-many,start,2024-03-10T01:00:00Z,0001,1,extra",
    ",stop,2024-03-10T01:00:00Z,0001,1",
    "no-machine,stop,2024-03-10T01:00:00Z,0001, ",
]

reports = st.tuples(
    st.integers(0, SLOTS - 1),  # when
    st.sampled_from(["alternate"] * 4 + ["repeat"]),  # a repeated type is an orphan
    st.sampled_from(OFFSETS),  # how the time is written
    st.integers(0, 2),  # how the type is written
    st.sampled_from([0, 0, 0, 250_000, 999_999]),  # microseconds
    st.sampled_from([None] * 8 + ["copy", "same_instant", "same_id"]),  # sent twice?
)


@dataclass(frozen=True)
class Stream:
    batches: list[list[tuple[str, str]]]  # per batch, its files: (name, text)
    landed_at: list[datetime]  # per batch


def report_line(report_id, report_type, at, machine, offset, spelling=0) -> str:
    """A report as a machine writes it, its time (`at`, UTC) at the given UTC offset."""
    local = at
    if offset not in ("", "Z"):
        sign = -1 if offset[0] == "-" else 1
        local = at + sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    time_text = local.isoformat() + offset
    return ",".join([report_id, SPELLINGS[report_type][spelling], time_text, *machine])


@st.composite
def streams(draw) -> Stream:
    change, branch_id = draw(st.sampled_from(DST_CHANGES))
    first = change - SLOTS // 2 * SLOT
    lines: list[str] = []
    others = draw(st.lists(st.sampled_from(MACHINES), max_size=3, unique=True))
    machines = [(branch_id, "1"), *(machine for machine in others if machine != (branch_id, "1"))]
    for number, machine in enumerate(machines):
        report_type = draw(st.sampled_from(["start", "start", "stop"]))
        for index, (slot, step, offset, spelling, micros, echo) in enumerate(
            sorted(draw(st.lists(reports, min_size=1, max_size=40)), key=lambda r: r[0])
        ):
            if index and step == "alternate":
                report_type = "stop" if report_type == "start" else "start"
            at = first + slot * SLOT + timedelta(microseconds=micros)
            report_id = f"r{number}-{index}"
            lines.append(report_line(report_id, report_type, at, machine, offset, spelling))
            if echo == "copy":
                lines.append(lines[-1])
            elif echo == "same_instant":
                lines.append(report_line(f"{report_id}b", report_type, at, machine, "+05:30"))
            elif echo == "same_id":
                lines.append(report_line(report_id, "stop", at + SLOT, machine, "Z"))
    lines += draw(st.lists(st.sampled_from(OTHER_LINES), max_size=6))

    rng = draw(st.randoms(use_true_random=False))
    rng.shuffle(lines)
    files: dict[int, list[str]] = {}
    batch_count = draw(st.integers(1, 4))
    file_count = draw(st.integers(batch_count, 8))
    for line in lines:
        files.setdefault(rng.randrange(file_count), []).append(line)
    texts = []
    for file_lines in files.values():
        header = ["id,type,time,branch_id,machine_id"] if rng.random() < 0.2 else []
        newline = "\r\n" if rng.random() < 0.2 else "\n"
        bom = "\ufeff" if rng.random() < 0.1 else ""
        texts.append(bom + newline.join(header + file_lines) + newline)
    texts += rng.sample(texts, draw(st.integers(0, 1)))  # a file sent again, as another file
    # random names: files that land together are read in the order of their names
    named = [(f"{rng.randrange(16**4):04x}-{index}.csv", text) for index, text in enumerate(texts)]

    batch_count = min(batch_count, len(named))
    cuts = [0, *sorted(rng.sample(range(1, len(named)), batch_count - 1)), len(named)]
    landed_at = [(first + timedelta(seconds=draw(st.integers(0, 3 * 86400)))).replace(tzinfo=UTC)]
    for _ in range(batch_count - 1):
        gap = draw(st.sampled_from([1, 2, 61, 3600, 86401, 3 * 86400]))
        landed_at.append(landed_at[-1] + timedelta(seconds=gap))
    batches = [named[start:end] for start, end in itertools.pairwise(cuts)]
    return Stream(batches=batches, landed_at=landed_at)


def check(stream: Stream, warehouse: Warehouse) -> None:
    arrival: list[str] = []  # landing time, then raw file name, as the models order files
    landed: list[datetime] = []
    for number, (batch, landed_at) in enumerate(zip(stream.batches, stream.landed_at, strict=True)):
        paths = {warehouse.write(f"b{number}/{name}", text): text for name, text in batch}
        results = warehouse.land(*paths, at=landed_at)
        texts = {str(path.resolve()): text for path, text in paths.items()}
        # a file of blank lines only has no data: the landing code quarantines it as empty
        assert {result.source: result.outcome for result in results} == {
            source: "landed" if text.replace("\ufeff", "").strip() else "quarantined"
            for source, text in texts.items()
        }
        results = sorted((r for r in results if r.outcome == "landed"), key=lambda r: r.key)
        arrival += [texts[result.source] for result in results]
        landed += [landed_at.replace(tzinfo=None)] * len(results)
        if arrival:
            warehouse.build(tests=False)

    incremental = warehouse.marts()
    warehouse.build(full_refresh=True)  # with the data tests
    assert warehouse.marts() == incremental, "incremental builds differ from a full refresh"

    expected = expected_marts(arrival, landed)
    runs = warehouse.query(
        "select run_id, branch_id, machine_id, started_at, stopped_at, duration_seconds, is_open"
        " from marts.fct_machine_runs"
    )
    assert {run[0]: run[1:] for run in runs} == expected.runs
    issues = warehouse.query("select issue_type, count(*) from marts.fct_report_issues group by 1")
    assert dict(issues) == dict(expected.issue_counts)
    days = {
        (branch_id, machine_id, day): (uptime, started, day_seconds)
        for branch_id, machine_id, day, uptime, started, day_seconds in warehouse.query(
            "select branch_id, machine_id, report_date, uptime_seconds, runs_started, day_seconds"
            " from marts.fct_machine_daily"
        )
    }
    assert days.keys() == expected.days.keys()
    for key, (uptime, started, day_seconds) in days.items():
        assert (pytest.approx(uptime, abs=1e-6), started, day_seconds) == expected.days[key], key

    assert_invariants(warehouse, raw_rows=sum(read_rows(text)[1] for text in arrival))
    event(f"{len(stream.batches)} batch(es)")
    for issue_type in expected.issue_counts:
        event(f"with {issue_type}")
    if any(day_seconds != 86400 for _, _, day_seconds in days.values()):
        event("with a 23 or 25 hour day")


def assert_invariants(warehouse: Warehouse, raw_rows: int) -> None:
    """What holds whatever the rules: days are as long as the clocks say and hold no more
    uptime than that, a machine runs once at a time, and every raw row is accounted for."""
    for uptime, day_seconds, day_start_at, day_end_at in warehouse.query(
        "select uptime_seconds, day_seconds, day_start_at, day_end_at from marts.fct_machine_daily"
    ):
        assert day_seconds == (day_end_at - day_start_at).total_seconds()
        assert day_seconds in (23 * 3600, 24 * 3600, 25 * 3600)
        assert 0 <= uptime <= day_seconds

    runs = warehouse.query(
        "select branch_id, machine_id, started_at, stopped_at, is_open from marts.fct_machine_runs"
        " order by branch_id, machine_id, started_at, stopped_at nulls last"
    )
    for run, following in itertools.pairwise(runs):
        if run[:2] == following[:2]:
            assert not run[4], f"an open run is not the machine's last: {run}"
            assert run[3] <= following[2], f"runs overlap: {run} and {following}"

    ((kept,),) = warehouse.query("select count(*) from intermediate.int_run_reports_sequenced")
    ((dropped,),) = warehouse.query(
        "select count(*) from marts.fct_report_issues"
        " where issue_type in ('duplicate', 'invalid_row')"
    )
    assert kept + dropped == raw_rows


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not SOAK_EXAMPLES and os.environ.get("COLA_PROPERTY_RANDOM") is None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(stream=streams())
def test_any_stream_in_any_batches_builds_the_rules_marts(tmp_path_factory, stream):
    root = tmp_path_factory.mktemp("stream")
    check(stream, Warehouse(home=root / "home", incoming=root / "incoming"))
    global examples_passed
    examples_passed += 1


@pytest.fixture(scope="module", autouse=True)
def _say_how_many_passed(request):
    yield
    if SOAK_EXAMPLES:
        with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
            print(f"\nsoak: {examples_passed} examples passed")
