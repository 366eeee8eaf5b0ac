"""The Athena-native table configs, read from the manifest dbt builds for the prod target."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.dbt_athena.moto_athena import REPO_ROOT

ACCOUNT_SPECIFIC = {
    "region_name": "COLA_ATHENA_REGION",
    "work_group": "COLA_ATHENA_WORKGROUP",
    "s3_staging_dir": "COLA_ATHENA_STAGING_DIR",
    "s3_data_dir": "COLA_ATHENA_DATA_DIR",
    "schema": "COLA_ATHENA_SCHEMA",
}


def _models(athena_compiled):
    return athena_compiled["full"].models()


def test_incremental_models_are_iceberg_tables_merged_on_their_unique_key(athena_compiled):
    incremental = {
        name: node["config"]
        for name, node in _models(athena_compiled).items()
        if node["config"]["materialized"] == "incremental"
    }
    assert incremental
    for name, config in incremental.items():
        assert config["unique_key"], name
        assert config["incremental_strategy"] == "merge", name
        assert config["table_type"] == "iceberg", name
        assert config["format"] == "parquet", name
        assert config["write_compression"] == "zstd", name


def test_no_two_tables_can_share_an_s3_prefix(athena_compiled):
    """dbt-athena deletes a table's location before every CTAS: each table (and rebuild) must
    get a prefix of its own, so no model or seed may pin a location."""
    nodes = [
        node
        for node in athena_compiled["full"].manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
    ]
    for node in nodes:
        config = node["config"]
        assert config.get("external_location") is None, node["name"]
        if config["materialized"] != "view":
            assert config["s3_data_naming"] in ("unique", "table_unique", "schema_table_unique")
    profile = yaml.safe_load((REPO_ROOT / "dbt_project" / "profiles.yml").read_text())
    assert profile["cola"]["outputs"]["prod"]["s3_data_naming"] == "schema_table_unique"


def test_partitioned_models_write_at_most_100_partitions_per_query(athena_compiled):
    partitioned = {
        name: node
        for name, node in _models(athena_compiled).items()
        if node["config"].get("partitioned_by")
    }
    assert "stg_factory__run_reports" in partitioned
    for name, node in partitioned.items():
        config = node["config"]
        assert config["force_batch"] is True, f"{name}: batches of <= 100 partitions"
        assert config.get("partitions_limit", 100) <= 100, name
        for key in config["partitioned_by"]:
            column = re.fullmatch(r"(?:(?:year|month|day|hour)\((\w+)\)|(\w+))", key)
            assert column, f"{name}: {key}"
            assert (column.group(1) or column.group(2)) in node["columns"], f"{name}: {key}"
        # merges touch only the partitions of the new rows
        for predicate in config.get("incremental_predicates") or []:
            assert re.fullmatch(r"target\.(\w+) = src\.\1", predicate), predicate


# marts that would read history on every query are kept up to date incrementally; the
# others show the timeline or staging as they are
INCREMENTAL_MARTS = {"fct_machine_daily", "dim_machines"}


def test_marts_are_views_unless_kept_incrementally(athena_compiled):
    for name, node in _models(athena_compiled).items():
        if node["fqn"][1] == "marts":
            expected = "incremental" if name in INCREMENTAL_MARTS else "view"
            assert node["config"]["materialized"] == expected, name


def test_duckdb_target_gets_none_of_the_athena_configs(duckdb_manifest):
    for node in duckdb_manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        config = node["config"]
        for key in (
            "table_type",
            "format",
            "write_compression",
            "s3_data_naming",
            "partitioned_by",
            "incremental_predicates",
        ):
            assert config.get(key) is None, (node["name"], key)
        assert not config.get("force_batch"), node["name"]


def _prod_output(path: Path) -> dict:
    return yaml.safe_load(path.read_text())["cola"]["outputs"]


def test_profiles_take_everything_account_specific_from_the_environment():
    example = _prod_output(REPO_ROOT / "profiles.example.yml")
    project = _prod_output(REPO_ROOT / "dbt_project" / "profiles.yml")
    assert example == project, "profiles.example.yml and dbt_project/profiles.yml differ"
    assert set(example) == {"local", "prod"}
    assert example["prod"]["type"] == "athena"
    assert example["local"]["type"] == "duckdb"
    for field, variable in ACCOUNT_SPECIFIC.items():
        assert example["prod"][field] == f"{{{{ env_var('{variable}') }}}}", field
    text = (REPO_ROOT / "profiles.example.yml").read_text()
    assert "env_var('DBT_TARGET', 'local')" in text
    assert not re.search(r"aws_(access|secret)|AKIA|password", text, re.IGNORECASE)
