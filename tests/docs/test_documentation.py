"""Everything in the dbt project is described in words (the docs site shows these), checked on
the manifest of the generated docs site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cola.paths import DBT_PROJECT_DIR


@pytest.fixture(scope="module")
def manifest(manifest_path: Path) -> dict:
    return json.loads(manifest_path.read_text())


def _own(manifest: dict, section: str) -> dict[str, dict]:
    return {k: v for k, v in manifest[section].items() if v.get("package_name") == "cola"}


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def test_every_model_seed_and_column_is_described(manifest):
    undocumented = []
    for node in _own(manifest, "nodes").values():
        if node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        if _blank(node["description"]):
            undocumented.append(node["name"])
        if not node["columns"]:
            undocumented.append(f"{node['name']} (no columns listed)")
        undocumented += [
            f"{node['name']}.{name}"
            for name, column in node["columns"].items()
            if _blank(column["description"])
        ]
    assert not undocumented


def test_every_source_table_and_column_is_described(manifest):
    undocumented = []
    for source in _own(manifest, "sources").values():
        name = f"{source['source_name']}.{source['name']}"
        if _blank(source["description"]) or _blank(source["source_description"]):
            undocumented.append(name)
        undocumented += [
            f"{name}.{column}"
            for column, c in source["columns"].items()
            if _blank(c["description"])
        ]
    assert not undocumented


def test_every_test_is_described(manifest):
    tests = [n for n in _own(manifest, "nodes").values() if n["resource_type"] in ("test",)]
    unit_tests = list(_own(manifest, "unit_tests").values())
    assert tests and unit_tests
    assert not [t["name"] for t in tests + unit_tests if _blank(t["description"])]


def test_every_macro_of_the_project_is_described(manifest):
    defined = set()
    for sql in (DBT_PROJECT_DIR / "macros").glob("*.sql"):
        defined |= set(re.findall(r"{%-?\s*macro\s+(\w+)", sql.read_text()))
    macros = {m["name"]: m for m in _own(manifest, "macros").values()}
    assert defined <= set(macros)
    undocumented = sorted(name for name in defined if _blank(macros[name]["description"]))
    assert not undocumented, f"add these to dbt_project/macros/_macros.yml: {undocumented}"


def test_metrics_semantic_models_and_exposures_are_described(manifest):
    metrics = _own(manifest, "metrics")
    assert {m["name"] for m in metrics.values()} >= {
        "uptime_hours",
        "availability",
        "runs",
        "mean_run_length_hours",
        "open_runs",
    }
    assert not [m["name"] for m in metrics.values() if _blank(m["description"])]
    for model in _own(manifest, "semantic_models").values():
        assert not _blank(model["description"]), model["name"]
        for part in ("entities", "dimensions", "measures"):
            assert not [p["name"] for p in model[part] if _blank(p["description"])], model["name"]
    exposures = {e["name"]: e for e in _own(manifest, "exposures").values()}
    assert set(exposures) >= {"uptime_dashboard", "athena_bi_tools"}
    for exposure in exposures.values():
        assert not _blank(exposure["description"])
        assert set(exposure["depends_on"]["nodes"]) >= {
            "model.cola.fct_machine_daily",
            "model.cola.fct_machine_runs",
            "model.cola.fct_report_issues",
            "model.cola.dim_machines",
        }


def test_availability_is_a_ratio_of_summed_seconds(manifest):
    metrics = {m["name"]: m for m in _own(manifest, "metrics").values()}
    availability = metrics["availability"]
    assert availability["type"] == "ratio"
    params = availability["type_params"]
    assert (params["numerator"]["name"], params["denominator"]["name"]) == (
        "uptime_seconds",
        "day_seconds",
    )
    measures = {
        m["name"]: m for s in _own(manifest, "semantic_models").values() for m in s["measures"]
    }
    assert measures["uptime_seconds"]["agg"] == measures["day_seconds"]["agg"] == "sum"


def test_the_overview_page_explains_the_pipeline(manifest):
    overview = manifest["docs"]["doc.cola.__overview__"]["block_contents"]
    for words in ("The pipeline", "run", "local day", "missing_stop", "mf query", "exposures"):
        assert words in overview
