"""The MetricFlow metrics, queried with `mf query` on the local warehouse, agree with the marts."""

from __future__ import annotations

import csv

import duckdb
import pytest

from tests.docs.sample import BIN

METRICS = "availability,uptime_hours,runs,open_runs,mean_run_length_hours"


def test_mf_query_by_branch_matches_the_marts(docs_sample, tmp_path):
    out = tmp_path / "metrics.csv"
    docs_sample.run(
        str(BIN / "mf"),
        "query",
        "--metrics",
        METRICS,
        "--group-by",
        "machine__branch_id",
        "--order",
        "machine__branch_id",
        "--csv",
        str(out),
    )
    with out.open(newline="") as rows:
        by_branch = {row["machine__branch_id"]: row for row in csv.DictReader(rows)}

    connection = duckdb.connect(str(docs_sample.warehouse), read_only=True)
    try:
        expected = connection.execute(
            """
            with daily as (
                select
                    branch_id,
                    sum(uptime_seconds) / sum(day_seconds) as availability,
                    sum(uptime_seconds) / 3600 as uptime_hours,
                    sum(runs_started) as runs
                from marts.fct_machine_daily
                group by branch_id
            ),
            runs as (
                select
                    branch_id,
                    count(*) filter (where is_open) as open_runs,
                    avg(duration_seconds) / 3600 as mean_run_length_hours
                from marts.fct_machine_runs
                group by branch_id
            )
            select daily.*, runs.open_runs, runs.mean_run_length_hours
            from daily inner join runs on daily.branch_id = runs.branch_id
            order by daily.branch_id
            """
        ).fetchall()
    finally:
        connection.close()

    assert len(expected) == 2 and sorted(by_branch) == [row[0] for row in expected]
    for branch, availability, uptime_hours, runs, open_runs, mean_hours in expected:
        got = by_branch[branch]
        assert float(got["availability"]) == pytest.approx(availability, rel=1e-9)
        assert float(got["uptime_hours"]) == pytest.approx(uptime_hours, rel=1e-9)
        assert int(float(got["runs"])) == runs
        assert int(float(got["open_runs"] or 0)) == open_runs
        assert float(got["mean_run_length_hours"]) == pytest.approx(mean_hours, rel=1e-9)
    # a ratio of sums, not a mean of daily ratios
    assert 0 < float(by_branch[expected[0][0]]["availability"]) < 1
