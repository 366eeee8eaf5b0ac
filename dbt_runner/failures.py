"""What failed in a run, short enough for an alert: pure functions over dbt's result files.

The failure summary goes into runner.json; on a failed build the state machine reads it back
and puts it into the SNS alert, so the alert names the failing tests and models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Statuses of a node that failed (run_results.json; sources.json for freshness).
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
# Skipped nodes worth naming: relations that were not built (tests are implied).
RELATION_PREFIXES = ("model.", "seed.", "snapshot.")
MAX_LISTED = 20
MAX_MESSAGE_CHARS = 300
MAX_HEADLINE_NAMES = 5


def _shorten(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _freshness_message(result: Mapping[str, Any]) -> str:
    if result.get("error"):
        return str(result["error"])
    error_after = (result.get("criteria") or {}).get("error_after") or {}
    hours = float(result.get("max_loaded_at_time_ago_in_s") or 0) / 3600
    return (
        f"newest data loaded at {result.get('max_loaded_at')}, {hours:.1f} h ago "
        f"(error after {error_after.get('count')} {error_after.get('period')})"
    )


def failed_nodes(step: str, results: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The failed nodes of one step's run_results.json (or sources.json, for freshness)."""
    failures = []
    for result in (results or {}).get("results", []):
        status = str(result.get("status", ""))
        if status not in FAILED_STATUSES:
            continue
        if step == "freshness":
            message = _freshness_message(result)
        else:
            message = str(result.get("message") or "")
        failures.append(
            {
                "step": step,
                "unique_id": str(result.get("unique_id")),
                "status": status,
                "message": _shorten(message),
            }
        )
    return failures


def skipped_relations(results: Mapping[str, Any] | None) -> list[str]:
    """Models, seeds and snapshots dbt skipped because something upstream failed."""
    return [
        str(result["unique_id"])
        for result in (results or {}).get("results", [])
        if result.get("status") == "skipped"
        and str(result.get("unique_id", "")).startswith(RELATION_PREFIXES)
    ]


def headline(
    failures: list[dict[str, str]], skipped: list[str], exit_codes: Mapping[str, int]
) -> str:
    """One line: what failed, what was not built, which step failed without naming a node."""
    parts = []
    if failures:
        names = ", ".join(
            f"{f['unique_id']} ({f['status']})" for f in failures[:MAX_HEADLINE_NAMES]
        )
        more = len(failures) - MAX_HEADLINE_NAMES
        parts.append(f"{len(failures)} failed: {names}" + (f" and {more} more" if more > 0 else ""))
    if skipped:
        models = "model" if len(skipped) == 1 else "models"
        parts.append(f"{len(skipped)} {models} skipped (upstream failure)")
    steps_with_failures = {f["step"] for f in failures}
    for step, code in exit_codes.items():
        if code != 0 and step not in steps_with_failures:
            parts.append(
                f"step {step} exited with {code} without a failed node: read {step}/dbt.log"
            )
    return "; ".join(parts) or "no failures"


def failure_summary(
    results_by_step: Mapping[str, Mapping[str, Any] | None], exit_codes: Mapping[str, int]
) -> dict[str, Any]:
    """`headline`, `failures` and `skipped` for runner.json; lists hold at most MAX_LISTED
    entries (the headline counts them all)."""
    failures = [
        failure
        for step, results in results_by_step.items()
        for failure in failed_nodes(step, results)
    ]
    skipped = [name for results in results_by_step.values() for name in skipped_relations(results)]
    return {
        "headline": headline(failures, skipped, exit_codes),
        "failures": failures[:MAX_LISTED],
        "skipped": skipped[:MAX_LISTED],
    }
