"""A short plain-text summary of the local warehouse's marts."""

from __future__ import annotations

from pathlib import Path

import duckdb


def summarize(warehouse: Path, days: int = 7) -> str:
    """Machines, runs, the last days' uptime per branch and the data-quality issue counts."""
    connection = duckdb.connect(str(warehouse))
    try:
        machines, running = connection.execute(
            "select count(*), count(*) filter (where is_running) from marts.dim_machines"
        ).fetchone()
        runs, open_runs, hours = connection.execute(
            "select count(*), count(*) filter (where is_open),"
            " coalesce(sum(duration_seconds), 0) / 3600 from marts.fct_machine_runs"
        ).fetchone()
        daily = connection.execute(
            """
            with last_days as (
                select * from marts.fct_machine_daily
                where report_date > (select max(report_date) from marts.fct_machine_daily) - ?
            )
            select
                report_date,
                branch_id,
                count(*) as machines,
                sum(uptime_seconds) / 3600 as uptime_hours,
                sum(uptime_seconds) / sum(day_seconds) as availability
            from last_days
            group by report_date, branch_id
            order by report_date, branch_id
            """,
            [days],
        ).fetchall()
        issues = connection.execute(
            "select issue_type, count(*) from marts.fct_report_issues"
            " group by issue_type order by issue_type"
        ).fetchall()
    finally:
        connection.close()

    lines = [
        f"machines: {machines} ({running} running now)",
        f"runs: {runs} ({open_runs} open), {hours:,.1f} machine-hours of uptime",
        f"daily uptime, last {days} days (local days per branch):",
        "  date        branch  machines  uptime h  availability",
    ]
    lines += [
        f"  {day}  {branch:<6}  {count:>8}  {uptime:>8.1f}  {availability:>11.1%}"
        for day, branch, count, uptime, availability in daily
    ]
    lines.append("data-quality issues: " + (", ".join(f"{t} {n}" for t, n in issues) or "none"))
    lines.append(f"warehouse: {warehouse}")
    return "\n".join(lines)
