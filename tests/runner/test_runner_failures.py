"""The failure summary of runner.json: pure functions over dbt's result files."""

from __future__ import annotations

from dbt_runner.failures import MAX_LISTED, failed_nodes, failure_summary, headline

RUN_RESULTS = {
    "results": [
        {"unique_id": "model.cola.stg_reports", "status": "success", "message": "OK"},
        {
            "unique_id": "test.cola.unique_stg_reports_id",
            "status": "fail",
            "message": "Got 2 results,\n  configured to fail if != 0",
        },
        {"unique_id": "test.cola.not_null_stg_reports_id", "status": "warn", "message": "Got 1"},
        {"unique_id": "model.cola.fct_runs", "status": "error", "message": "Binder Error: x"},
        {"unique_id": "model.cola.dim_machines", "status": "skipped", "message": None},
        {"unique_id": "test.cola.unique_dim_machines_key", "status": "skipped"},
        {"unique_id": "exposure.cola.dashboard", "status": "skipped"},
    ]
}
STALE_SOURCE = {
    "results": [
        {
            "unique_id": "source.cola.factory.run_reports",
            "status": "error",
            "max_loaded_at": "2024-01-01T00:00:00+00:00",
            "max_loaded_at_time_ago_in_s": 4 * 86400,
            "criteria": {"error_after": {"count": 3, "period": "day"}},
        }
    ]
}


def test_failed_tests_and_models_are_named_with_dbts_message_on_one_line():
    assert failed_nodes("main", RUN_RESULTS) == [
        {
            "step": "main",
            "unique_id": "test.cola.unique_stg_reports_id",
            "status": "fail",
            "message": "Got 2 results, configured to fail if != 0",
        },
        {
            "step": "main",
            "unique_id": "model.cola.fct_runs",
            "status": "error",
            "message": "Binder Error: x",
        },
    ]


def test_a_stale_source_says_how_old_its_data_is():
    [failure] = failed_nodes("freshness", STALE_SOURCE)
    assert failure["unique_id"] == "source.cola.factory.run_reports"
    assert failure["message"] == (
        "newest data loaded at 2024-01-01T00:00:00+00:00, 96.0 h ago (error after 3 day)"
    )


def test_the_summary_names_failures_skipped_models_and_silent_step_failures():
    summary = failure_summary(
        {"freshness": STALE_SOURCE, "main": RUN_RESULTS, "docs": None},
        {"freshness": 1, "main": 1, "docs": 2},
    )
    assert [f["unique_id"] for f in summary["failures"]] == [
        "source.cola.factory.run_reports",
        "test.cola.unique_stg_reports_id",
        "model.cola.fct_runs",
    ]
    assert summary["skipped"] == ["model.cola.dim_machines"]
    assert summary["headline"] == (
        "3 failed: source.cola.factory.run_reports (error), test.cola.unique_stg_reports_id "
        "(fail), model.cola.fct_runs (error); 1 model skipped (upstream failure); "
        "step docs exited with 2 without a failed node: read docs/dbt.log"
    )


def test_a_clean_run_has_no_failures():
    summary = failure_summary({"main": {"results": []}, "freshness": None}, {"main": 0})
    assert summary == {"headline": "no failures", "failures": [], "skipped": []}


def test_long_lists_and_messages_stay_short_enough_for_an_alert():
    many = {
        "results": [
            {"unique_id": f"test.cola.t{i}", "status": "fail", "message": "x" * 5000}
            for i in range(50)
        ]
    }
    summary = failure_summary({"main": many}, {"main": 1})
    assert len(summary["failures"]) == MAX_LISTED
    assert all(len(f["message"]) <= 300 for f in summary["failures"])
    assert summary["headline"].startswith("50 failed: test.cola.t0 (fail)")
    assert summary["headline"].endswith("test.cola.t4 (fail) and 45 more")
    assert headline([], [], {"main": 2}).startswith("step main exited with 2")
