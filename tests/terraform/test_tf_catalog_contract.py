"""The Glue raw table (terraform/modules/catalog) and the dbt source that reads it
(dbt_project/models/staging/factory/_factory__sources.yml) declare the same columns, in the
same order, with the partition key last, in the same schema.

The dbt source also lists DuckDB-only file metadata (`_file_path`, `_landed_at`,
`_line_number`: a leading underscore, described as "DuckDB only"); on Athena the same comes
from the hidden `$path` / `$file_modified_time` columns, so the Glue table has no such column."""

from __future__ import annotations

from typing import Any

import yaml

from tests.step_function.moto_harness import REPO
from tests.terraform.hcl_policies import as_list, blocks, load
from tests.terraform.tf_harness import TERRAFORM_DIR

DBT_SOURCES = REPO / "dbt_project" / "models" / "staging" / "factory" / "_factory__sources.yml"
CATALOG = TERRAFORM_DIR / "modules" / "catalog"


def terraform_table() -> tuple[list[str], list[tuple[str, str]], str]:
    main = load(CATALOG / "main.tf")
    local_values: dict[str, Any] = {}
    for entry in main["locals"]:
        local_values.update(entry)
    columns = list(local_values["run_reports_columns"])
    table = blocks(main, "resource", "aws_glue_catalog_table")["run_reports"]
    partition_keys = [(key["name"], key["type"]) for key in as_list(table["partition_keys"])]
    variables: dict[str, Any] = {}
    for entry in load(CATALOG / "variables.tf")["variable"]:
        variables.update(entry)
    return columns, partition_keys, str(variables["raw_database_name"]["default"])


def dbt_source() -> tuple[list[str], str]:
    """The source's columns that the Glue table must have, and its schema."""
    document = yaml.safe_load(DBT_SOURCES.read_text())
    [source] = [s for s in document["sources"] if s["name"] == "factory"]
    [table] = [t for t in source["tables"] if t["name"] == "run_reports"]
    columns = []
    for column in table["columns"]:
        if column["name"].startswith("_"):
            assert "DuckDB only" in column.get("description", ""), column
            continue
        columns.append(column["name"])
    return columns, str(source["schema"])


def test_glue_table_and_dbt_source_declare_the_same_columns() -> None:
    columns, partition_keys, _ = terraform_table()
    dbt_columns, _ = dbt_source()
    assert dbt_columns == columns + [name for name, _ in partition_keys]


def test_every_raw_column_is_a_string_partitioned_by_ingest_date() -> None:
    main = load(CATALOG / "main.tf")
    table = blocks(main, "resource", "aws_glue_catalog_table")["run_reports"]
    [descriptor] = as_list(table["storage_descriptor"])
    [dynamic_columns] = as_list(descriptor["dynamic"])
    [content] = as_list(dynamic_columns["columns"]["content"])
    assert dynamic_columns["columns"]["for_each"] == "${local.run_reports_columns}"
    assert content["type"] == "string"
    _, partition_keys, _ = terraform_table()
    assert partition_keys == [("ingest_date", "string")]


def test_the_dbt_source_reads_the_glue_database() -> None:
    _, _, database = terraform_table()
    _, schema = dbt_source()
    assert schema == database == "raw"
