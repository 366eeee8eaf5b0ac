"""The dashboard page: ReportData in, one self-contained HTML document out (pure).

No script, no external stylesheet, font or image: the file opens from disk, offline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from html import escape

from cola.report import Machine, ReportData
from cola.report_charts import (
    ISSUE_COLOURS,
    HeatmapRow,
    heatmap,
    line_chart,
    stacked_bars,
)

ISSUE_TYPES = ("invalid_row", "duplicate", "missing_stop", "missing_start")
ISSUE_MEANINGS = {
    "invalid_row": "the line could not be read as a report (fields, id, type or time)",
    "duplicate": "the same report arrived again (same id, or same machine, type and time)",
    "missing_stop": "a start followed by another start: its stop never arrived",
    "missing_start": "a stop with no start before it",
}
# as in the source's freshness check (dbt_project/models/staging/factory/_factory__sources.yml)
LATE_AFTER_HOURS, STALE_AFTER_HOURS = 24, 72
NO_VALUE = "\N{EN DASH}"

STYLE = """
:root { --ink: #1d2733; --muted: #5b6b7a; --line: #e3e8ee; --card: #fff; --bg: #f5f7fa;
  --accent: #0072B2; --ok: #009E73; --late: #E69F00; --stale: #D55E00; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { background: #12324a; color: #fff; padding: 22px 32px 18px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: #cfe0ee; }
main { max-width: 1320px; margin: 0 auto; padding: 20px 32px 40px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 18px 22px; margin: 0 0 20px; }
section h2 { margin: 0 0 4px; font-size: 19px; }
.explain { margin: 0 0 14px; color: var(--muted); max-width: 980px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 14px;
  margin: 0 0 20px; }
.kpi { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 14px 16px; }
.kpi .value { font-size: 26px; font-weight: 700; white-space: nowrap; }
.kpi .label { color: var(--muted); font-size: 13px; }
.scroll { overflow-x: auto; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
@media (max-width: 1000px) { .two { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line);
  vertical-align: middle; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase;
  letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.bar { height: 10px; border-radius: 5px; background: var(--accent); min-width: 2px; }
.bar.stop { background: var(--stale); }
.bar.fresh { background: var(--muted); }
.tag { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; color: #fff; }
.tag.ok { background: var(--ok); } .tag.late { background: var(--late); }
.tag.stale { background: var(--stale); } .tag.running { background: var(--accent); }
.tag.stopped { background: #8595a5; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px;
  margin-right: 6px; vertical-align: -1px; }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: 13px; max-width: 1320px; margin: 0 auto;
  padding: 0 32px 30px; }
code { background: #eef2f6; padding: 0 4px; border-radius: 4px; }
"""


def render(data: ReportData) -> str:
    """The whole dashboard as one HTML document."""
    by_key = {m.machine_key: m for m in data.machines}
    sections = [
        _kpis(data),
        _heatmap_section(data, by_key),
        _branch_trend_section(data, by_key),
        "<div class='two'>" + _runs_section(data, by_key) + _stops_section(data, by_key) + "</div>",
        _issues_section(data),
        _freshness_section(data),
    ]
    branches = len({m.branch_id for m in data.machines})
    subtitle = (
        f"Local days {data.first_day:%d %b %Y} to {data.last_day:%d %b %Y} "
        f"({len(data.days)} days) · {len(data.machines)} machines in {branches} branches · "
        f"newest report {_when(data.newest_report_at)}"
    )
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Cola factories: machine uptime</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<header><h1>Cola factories: machine uptime</h1><p>{escape(subtitle)}</p></header>"
        f"<main>{''.join(sections)}</main>"
        f"<footer>Written by <code>cola report</code> at {_when(data.generated_at)} from the marts "
        f"of <code>{escape(str(data.warehouse))}</code>. Times are UTC unless a local day is "
        "meant; a machine's local day runs from midnight to midnight in its branch's time zone. "
        "Definitions of every number: the dbt docs site (<code>make docs</code>).</footer>"
        "</body></html>\n"
    )


# --- helpers -------------------------------------------------------------------------------


def _when(moment: datetime | None) -> str:
    return "none" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def duration(seconds: float | None) -> str:
    """A length of time as people say it: `45 min`, `5 h 12 min`, `3 d 4 h`."""
    if seconds is None:
        return NO_VALUE
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _machine_label(machine: Machine | None, key: str) -> str:
    if machine is None:
        return escape(key)
    return f"{escape(machine.branch_name)} · machine {escape(machine.machine_id)}"


def _section(title: str, explain: str, body: str, anchor: str) -> str:
    return (
        f"<section id='{anchor}'><h2>{escape(title)}</h2><p class='explain'>{explain}</p>"
        f"{body}</section>"
    )


def _table(headers: Iterable[tuple[str, bool]], rows: list[str], empty: str) -> str:
    head = "".join(f"<th class='num'>{h}</th>" if num else f"<th>{h}</th>" for h, num in headers)
    if not rows:
        return f"<p class='empty'>{escape(empty)}</p>"
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _bar(share: float, kind: str = "") -> str:
    return f"<div class='bar {kind}' style='width:{max(0.0, min(1.0, share)) * 100:.1f}%'></div>"


# --- sections ------------------------------------------------------------------------------


def _kpis(data: ReportData) -> str:
    uptime = sum(d.uptime_seconds for d in data.machine_days)
    finished = [d for d in data.machine_days if d.is_over(data.newest_report_at)]
    available = sum(d.day_seconds for d in finished)
    finished_uptime = sum(d.uptime_seconds for d in finished)
    closed = [r.duration_seconds for r in data.runs if r.duration_seconds is not None]
    window_issues = sum(
        i.issues for i in data.issues if data.first_day <= i.issue_date <= data.last_day
    )
    running = sum(1 for m in data.machines if m.current_state == "running")
    tiles = [
        (
            f"{finished_uptime / available:.1%}" if available else NO_VALUE,
            "availability (days that are over)",
        ),
        (f"{uptime / 3600:,.0f} h", "uptime, closed runs"),
        (f"{sum(d.runs_started for d in data.machine_days):,}", "runs started"),
        (duration(sum(closed) / len(closed)) if closed else NO_VALUE, "mean run length"),
        (f"{running} of {len(data.machines)}", "machines running now"),
        (f"{window_issues:,}", "data-quality issues"),
    ]
    return (
        "<div class='kpis'>"
        + "".join(
            f"<div class='kpi'><div class='value'>{escape(v)}</div>"
            f"<div class='label'>{escape(label)}</div></div>"
            for v, label in tiles
        )
        + "</div>"
    )


def _heatmap_section(data: ReportData, by_key: dict[str, Machine]) -> str:
    days_by_machine: dict[str, dict[date, float]] = defaultdict(dict)
    details: dict[str, dict[date, str]] = defaultdict(dict)
    unfinished: dict[str, set[date]] = defaultdict(set)
    for day in data.machine_days:
        machine = by_key.get(day.machine_key)
        share = day.uptime_seconds / day.day_seconds if day.day_seconds else 0.0
        days_by_machine[day.machine_key][day.report_date] = share
        over = day.is_over(data.newest_report_at)
        if not over:
            unfinished[day.machine_key].add(day.report_date)
        details[day.machine_key][day.report_date] = (
            f"{_machine_label(machine, day.machine_key)}, {day.report_date:%a %d %b %Y}: "
            f"{share:.1%} available, {duration(day.uptime_seconds)} running of "
            f"{day.day_seconds / 3600:g} h, {day.runs_started} run(s) started"
            + ("" if over else " (the day was not over at the newest report)")
        )
    rows = [
        HeatmapRow(
            group=f"{m.branch_name} ({m.timezone})",
            label=f"machine {m.machine_id}",
            values=days_by_machine.get(m.machine_key, {}),
            details=details.get(m.machine_key, {}),
            unfinished=frozenset(unfinished.get(m.machine_key, ())),
        )
        for m in data.machines
    ]
    body = (
        f"<div class='scroll'>{heatmap(rows, data.days, title='Uptime by machine and day')}</div>"
        if rows
        else "<p class='empty'>No machine has reported yet.</p>"
    )
    return _section(
        "Uptime by machine and day",
        "Each cell is one machine on one local day (midnight to midnight in its branch's time "
        "zone): the percentage of the day it was running, counting closed runs. Dark cells are "
        "idle days; grey cells are days before its first or after its last report; faded, dashed "
        "cells are days not over at the newest report (their percentage can only grow). Day "
        "numbers in red are weekends. Hover a cell for hours and runs.",
        body,
        "heatmap",
    )


def branch_availability(data: ReportData) -> dict[str, dict[date, float]]:
    """Per branch name, per local day: summed uptime ÷ summed day length (a ratio of sums)."""
    by_key = {m.machine_key: m for m in data.machines}
    sums: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    for day in data.machine_days:
        machine = by_key.get(day.machine_key)
        branch = machine.branch_name if machine else day.machine_key.split(":")[0]
        totals = sums[branch][day.report_date]
        totals[0] += day.uptime_seconds
        totals[1] += day.day_seconds
    return {
        branch: {d: up / total for d, (up, total) in sorted(days.items()) if total}
        for branch, days in sorted(sums.items())
    }


def unfinished_branch_days(data: ReportData) -> dict[str, frozenset[date]]:
    """Per branch name, the local days some machine of the branch had not finished."""
    by_key = {m.machine_key: m for m in data.machines}
    days: dict[str, set[date]] = defaultdict(set)
    for day in data.machine_days:
        if not day.is_over(data.newest_report_at):
            machine = by_key.get(day.machine_key)
            branch = machine.branch_name if machine else day.machine_key.split(":")[0]
            days[branch].add(day.report_date)
    return {branch: frozenset(d) for branch, d in days.items()}


def _branch_trend_section(data: ReportData, by_key: dict[str, Machine]) -> str:
    series = branch_availability(data)
    body = (
        line_chart(
            series,
            data.days,
            title="Availability per branch",
            y_label="availability",
            unfinished=unfinished_branch_days(data),
        )
        if series
        else "<p class='empty'>No machine days in this period.</p>"
    )
    return _section(
        "Availability per branch, by day",
        "The share of the branch's machine time spent running: the uptime of all its machines "
        "that day divided by their time available (a ratio of sums, so a machine that reported "
        "all day weighs as much as it ran). A hollow point on a dashed line is a day not over at "
        "the newest report. Hover a point for the exact value.",
        f"<div class='scroll'>{body}</div>",
        "branches",
    )


def _runs_section(data: ReportData, by_key: dict[str, Machine]) -> str:
    closed = sorted(
        (r for r in data.runs if r.duration_seconds is not None),
        key=lambda r: r.duration_seconds or 0.0,
        reverse=True,
    )[:10]
    longest = closed[0].duration_seconds if closed else 1.0
    rows = [
        f"<tr><td>{_machine_label(by_key.get(r.machine_key), r.machine_key)}</td>"
        f"<td>{_when(r.started_at)}</td><td class='num'>{duration(r.duration_seconds)}</td>"
        f"<td style='width:30%'>{_bar((r.duration_seconds or 0) / (longest or 1))}</td></tr>"
        for r in closed
    ]
    return _section(
        "Longest runs",
        "Closed runs that started in this period, longest first: from a start report to its "
        "stop, across midnight if need be.",
        _table(
            [("machine", False), ("started", False), ("length", True), ("", False)],
            rows,
            "No closed run started in this period.",
        ),
        "runs",
    )


def _stops_section(data: ReportData, by_key: dict[str, Machine]) -> str:
    longest = data.stops[0].seconds if data.stops else 1.0
    still = " <span class='tag stale'>still stopped</span>"
    rows = [
        f"<tr><td>{_machine_label(by_key.get(s.machine_key), s.machine_key)}</td>"
        f"<td>{_when(s.stopped_at)}</td><td class='num'>{duration(s.seconds)}"
        f"{'' if s.restarted_at else still}</td>"
        f"<td style='width:30%'>{_bar(s.seconds / (longest or 1), 'stop')}</td></tr>"
        for s in data.stops
    ]
    return _section(
        "Longest stops",
        "Time between a run's stop and the machine's next start, for stops that began in this "
        "period, longest first. A machine still stopped is measured up to the newest report. "
        "A stop that holds an unpaired report (see data quality) may hide unreported running.",
        _table(
            [("machine", False), ("stopped", False), ("length", True), ("", False)],
            rows,
            "No stop began in this period.",
        ),
        "stops",
    )


def _issues_section(data: ReportData) -> str:
    counts: dict[date, dict[str, int]] = defaultdict(dict)
    in_window: dict[str, int] = defaultdict(int)
    for issue in data.issues:
        if data.first_day <= issue.issue_date <= data.last_day:
            counts[issue.issue_date][issue.issue_type] = issue.issues
            in_window[issue.issue_type] += issue.issues
    types = [t for t in ISSUE_TYPES if t in data.issue_totals] + sorted(
        t for t in data.issue_totals if t not in ISSUE_TYPES
    )
    chart = stacked_bars(
        counts,
        data.days,
        types or list(ISSUE_TYPES),
        title="Data-quality issues by type and day",
        y_label="reports",
    )
    rows = [
        f"<tr><td><span class='swatch' style='background:{ISSUE_COLOURS.get(t, '#888')}'></span>"
        f"<code>{escape(t)}</code></td><td>{escape(ISSUE_MEANINGS.get(t, ''))}</td>"
        f"<td class='num'>{in_window.get(t, 0):,}</td>"
        f"<td class='num'>{data.issue_totals.get(t, 0):,}</td></tr>"
        for t in types
    ]
    table = _table(
        [("issue", False), ("meaning", False), ("this period", True), ("all time", True)],
        rows,
        "No report has had a problem: every line was read and paired.",
    )
    return _section(
        "Data quality: reports that could not be used as sent",
        "Reports per day of the report's time (UTC; the landing day when the time could not be "
        "read), by issue type. Invalid rows and duplicates are left out of uptime; an unpaired "
        "start or stop makes no run.",
        f"<div class='scroll'>{chart}</div>{table}",
        "issues",
    )


def freshness_status(hours_behind: float) -> str:
    """`ok`, `late` (over a day behind the newest report) or `stale` (over three days)."""
    if hours_behind > STALE_AFTER_HOURS:
        return "stale"
    return "late" if hours_behind > LATE_AFTER_HOURS else "ok"


def _freshness_section(data: ReportData) -> str:
    newest = data.newest_report_at
    behind = {
        m.machine_key: (newest - m.last_reported_at).total_seconds() / 3600 if newest else 0.0
        for m in data.machines
    }
    most = max(behind.values(), default=0.0) or 1.0
    rows = []
    for m in sorted(data.machines, key=lambda m: (-behind[m.machine_key], m.machine_key)):
        hours = behind[m.machine_key]
        status = freshness_status(hours)
        rows.append(
            f"<tr><td>{escape(m.branch_name)}</td><td>machine {escape(m.machine_id)}</td>"
            f"<td>{_when(m.last_reported_at)}</td>"
            f"<td class='num'>{duration(hours * 3600) if hours else 'newest'}</td>"
            f"<td style='width:18%'>{_bar(hours / most, 'fresh')}</td>"
            f"<td><span class='tag {status}'>{status}</span></td>"
            f"<td><span class='tag {escape(m.current_state)}'>{escape(m.current_state)}</span> "
            f"since {_when(m.state_since)}</td></tr>"
        )
    age = (
        f" That is {duration((data.generated_at - newest).total_seconds())} before this page "
        "was written."
        if newest and data.generated_at > newest
        else ""
    )
    return _section(
        "Freshness: each machine's latest report",
        f"The newest report in the warehouse is from {_when(newest)}.{escape(age)} A machine "
        f"more than {LATE_AFTER_HOURS} h behind it is <b>late</b>, more than "
        f"{STALE_AFTER_HOURS} h <b>stale</b>: it may have stopped sending reports.",
        _table(
            [
                ("branch", False),
                ("machine", False),
                ("latest report", False),
                ("behind newest", True),
                ("", False),
                ("freshness", False),
                ("state", False),
            ],
            rows,
            "No machine has reported yet.",
        ),
        "freshness",
    )
