"""`cola report`: one self-contained HTML dashboard from the marts, checked by its numbers and
in headless Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from cola.cli import main
from cola.generate import generate
from cola.report import Machine, MachineDay, ReportData, Run
from cola.report_charts import sequential_colour
from cola.report_page import branch_availability, duration, freshness_status, render
from tests.docs.browser import artifact, check_page

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`cola run` (in a subprocess, as `make run` does) on a week of generated reports."""
    root = tmp_path_factory.mktemp("report")
    generate(root / "incoming", branches=2, machines_per_branch=2, days=8)
    env = {
        **os.environ,
        "COLA_HOME": str(root / "home"),
        "DBT_TARGET_PATH": str(root / "dbt-target"),
        "DBT_LOG_PATH": str(root / "dbt-logs"),
        "DO_NOT_TRACK": "1",
    }
    completed = subprocess.run(
        [str(BIN / "cola"), "run", str(root / "incoming")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return root / "home", completed.stdout


def _query(home: Path, sql: str) -> list[tuple]:
    connection = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_cola_run_writes_the_report_and_says_where_the_docs_are(home):
    cola_home, out = home
    assert f"report: {cola_home / 'report.html'}" in out
    assert "docs: `make docs`" in out and "http://127.0.0.1:8080" in out
    assert (cola_home / "report.html").stat().st_size > 10_000


def test_report_is_one_file_that_needs_no_network(home, tmp_path, monkeypatch, capsys):
    cola_home, _ = home
    monkeypatch.setenv("COLA_HOME", str(cola_home))
    out = tmp_path / "nested" / "dashboard.html"
    assert main(["report", "--days", "5", "--out", str(out)]) == 0
    assert f"report: {out}" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    addresses = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s'\"<>)]*", html))
    assert addresses <= {"http://www.w3.org/2000/svg"}, addresses  # the SVG namespace only
    assert "<script" not in html and "<link" not in html and "url(" not in html
    for section in ("heatmap", "branches", "runs", "stops", "issues", "freshness"):
        assert f"id='{section}'" in html


def test_report_numbers_come_from_the_marts(home, tmp_path, monkeypatch):
    cola_home, _ = home
    monkeypatch.setenv("COLA_HOME", str(cola_home))
    out = tmp_path / "report.html"
    assert main(["report", "--days", "5", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    [(machine_days, runs_started)] = _query(
        cola_home,
        """
        select count(*), sum(runs_started) from marts.fct_machine_daily
        where report_date > (select max(report_date) from marts.fct_machine_daily) - 5
        """,
    )
    assert html.count("<g class='cell'>") == machine_days  # one heatmap cell per machine day
    assert f"<div class='value'>{runs_started:,}</div><div class='label'>runs started" in html
    for branch_name, machine_id in _query(
        cola_home, "select branch_name, machine_id from marts.dim_machines"
    ):
        assert f"{branch_name} · machine {machine_id}" in html or branch_name in html
    issues = dict(
        _query(cola_home, "select issue_type, count(*) from marts.fct_report_issues group by 1")
    )
    for issue_type, count in issues.items():
        assert re.search(rf"<code>{issue_type}</code>.*?<td class='num'>{count:,}</td></tr>", html)


def test_report_renders_in_chromium_without_console_errors(home):
    cola_home, _ = home
    report = cola_home / "report.html"
    screenshot = artifact("report.png")
    result = check_page(
        report.as_uri(),
        [
            {
                "probe": "charts",
                "js": "Array.from(document.querySelectorAll('svg.chart')).map(s => {"
                " const box = s.getBoundingClientRect();"
                " return [s.getAttribute('aria-label'), box.width, box.height,"
                " s.querySelectorAll('rect, path, circle').length]; })",
            },
            {"probe": "cells", "js": "document.querySelectorAll('svg.chart g.cell').length"},
            {"probe": "points", "js": "document.querySelectorAll('svg.chart circle.point').length"},
            {"probe": "tables", "js": "document.querySelectorAll('table tbody tr').length"},
            {"screenshot": str(screenshot), "full_page": True},
        ],
    )
    assert result["console"] == [], result["console"]
    assert result["page_errors"] == [] and result["blocked_requests"] == []
    charts = {label: (w, h, marks) for label, w, h, marks in result["probes"]["charts"]}
    assert set(charts) == {
        "Uptime by machine and day",
        "Availability per branch",
        "Data-quality issues by type and day",
    }
    for label, (width, height, marks) in charts.items():
        assert width > 300 and height > 150 and marks > 5, label
    assert result["probes"]["cells"] > 0 and result["probes"]["points"] > 0
    assert result["probes"]["tables"] > 4
    assert screenshot.stat().st_size > 20_000


def test_report_without_a_warehouse_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLA_HOME", str(tmp_path / "empty"))
    assert main(["report"]) == 1
    assert "run `cola run`" in capsys.readouterr().err
    assert not (tmp_path / "empty").exists()


# --- the pure parts ------------------------------------------------------------------------


def _data(machine_days: list[MachineDay], machines: list[Machine]) -> ReportData:
    return ReportData(
        first_day=date(2024, 3, 1),
        last_day=date(2024, 3, 2),
        newest_report_at=datetime(2024, 3, 3, 0, 0),
        generated_at=datetime(2024, 3, 3, 1, 0),
        warehouse=Path("/w.duckdb"),
        machines=machines,
        machine_days=machine_days,
        runs=[Run("1:1", datetime(2024, 3, 1, 8), datetime(2024, 3, 1, 20), 43200.0)],
        stops=[],
        issues=[],
        issue_totals={},
    )


def _machine(key: str, branch_name: str) -> Machine:
    branch, machine = key.split(":")
    moment = datetime(2024, 3, 2, 23)
    return Machine(key, branch, machine, branch_name, "UTC", "stopped", moment, moment)


def test_branch_availability_is_a_ratio_of_sums_not_a_mean_of_ratios():
    day = date(2024, 3, 1)
    end = datetime(2024, 3, 2)
    data = _data(
        [
            MachineDay("1:1", day, 86400.0, 86400, 1, end),  # 100 % of a whole day
            MachineDay("1:2", day, 0.0, 90000, 0, end),  # 0 % of a 25-hour day
        ],
        [_machine("1:1", "North"), _machine("1:2", "North")],
    )
    assert branch_availability(data)["North"][day] == pytest.approx(86400 / 176400)


def test_page_escapes_names_and_survives_an_empty_warehouse():
    nasty = _machine("1:1", "<script>alert(1)</script>")
    html = render(_data([], [nasty]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    empty = render(_data([], []))
    assert "No machine has reported yet." in empty


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "\N{EN DASH}"), (59, "1 min"), (3600, "1 h 00 min"), (5 * 86400 + 7200, "5 d 2 h")],
)
def test_durations_read_as_people_say_them(seconds, text):
    assert duration(seconds) == text


def test_colour_scale_and_freshness_thresholds():
    assert sequential_colour(0) == "#440154" and sequential_colour(1) == "#fde725"
    assert sequential_colour(-3) == sequential_colour(0)
    assert [freshness_status(h) for h in (0, 24, 25, 72, 73)] == [
        "ok",
        "ok",
        "late",
        "late",
        "stale",
    ]
