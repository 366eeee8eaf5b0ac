"""A stand-in AWS for compiling the dbt project's `prod` (Athena) target offline.

dbt-athena asks Glue, Athena (workgroup) and S3 about the catalog while it compiles. A moto
server on 127.0.0.1 answers those calls with the Glue databases and the raw table that
terraform/modules/catalog creates. Athena itself never runs SQL here: compiling proves the
Jinja renders and the catalog calls succeed, nothing about how Athena executes the SQL.

By hand:  python -m tests.dbt_athena.moto_athena sqlfluff lint dbt_project/models
          python -m tests.dbt_athena.moto_athena dbt compile --project-dir dbt_project ...
(the command runs with DBT_TARGET=prod and the COLA_ATHENA_* / AWS_* variables set).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
VENV_BIN = Path(sys.executable).parent

REGION = "eu-west-1"
WORKGROUP = "cola-analytics"
RESULTS_BUCKET = "cola-athena-results"
CURATED_BUCKET = "cola-curated"
RAW_BUCKET = "cola-raw"
# The Glue databases terraform/modules/catalog creates: raw plus one per dbt schema.
DATABASES = ("raw", "staging", "intermediate", "marts", "seeds", "analytics")
RAW_COLUMNS = ("id", "type", "time", "branch_id", "machine_id", "extra_fields")


@dataclass(frozen=True)
class FakeAws:
    endpoint_url: str

    @property
    def env(self) -> dict[str, str]:
        """Environment for dbt (and sqlfluff's dbt templater) on the prod target."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "DBT_TARGET": "prod",
            "COLA_ATHENA_REGION": REGION,
            "COLA_ATHENA_WORKGROUP": WORKGROUP,
            "COLA_ATHENA_STAGING_DIR": f"s3://{RESULTS_BUCKET}/dbt/",
            "COLA_ATHENA_DATA_DIR": f"s3://{CURATED_BUCKET}/",
            "COLA_ATHENA_SCHEMA": "analytics",
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def client(self, service: str):
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def create_catalog(self) -> None:
        """Buckets, the engine v3 workgroup, the Glue databases and raw.run_reports."""
        s3 = self.client("s3")
        for bucket in (RESULTS_BUCKET, CURATED_BUCKET, RAW_BUCKET):
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        self.client("athena").create_work_group(
            Name=WORKGROUP,
            Configuration={
                "ResultConfiguration": {"OutputLocation": f"s3://{RESULTS_BUCKET}/dbt/"},
                "EnforceWorkGroupConfiguration": False,
                "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"},
            },
            Tags=[{"Key": "project", "Value": "cola"}],
        )
        glue = self.client("glue")
        for database in DATABASES:
            glue.create_database(DatabaseInput={"Name": database})
        glue.create_table(
            DatabaseName="raw",
            TableInput={
                "Name": "run_reports",
                "TableType": "EXTERNAL_TABLE",
                "Parameters": {
                    "EXTERNAL": "TRUE",
                    "classification": "csv",
                    "projection.enabled": "true",
                    "projection.ingest_date.type": "date",
                    "projection.ingest_date.format": "yyyy-MM-dd",
                    "projection.ingest_date.range": "2024-01-01,NOW",
                },
                "PartitionKeys": [{"Name": "ingest_date", "Type": "string"}],
                "StorageDescriptor": {
                    "Location": f"s3://{RAW_BUCKET}/raw/run_reports/",
                    "Columns": [{"Name": name, "Type": "string"} for name in RAW_COLUMNS],
                    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    "SerdeInfo": {
                        "SerializationLibrary": "org.apache.hadoop.hive.serde2.RegexSerDe"
                    },
                },
            },
        )

    def queue_query_results(self, value: str, count: int = 20) -> None:
        """Make the next `count` Athena queries return one row with one text value. moto runs
        no SQL; dbt runs queries at compile time only for introspection (run_query), such as
        the staging model's newest landing date."""
        result = {
            "rows": [{"Data": [{"VarCharValue": "_col0"}]}, {"Data": [{"VarCharValue": value}]}],
            "column_info": [
                {
                    "Name": "_col0",
                    "Label": "_col0",
                    "Type": "varchar",
                    "Nullable": "UNKNOWN",
                    "CatalogName": "hive",
                    "SchemaName": "",
                    "TableName": "",
                    "Precision": 2147483647,
                    "Scale": 0,
                    "CaseSensitive": True,
                }
            ],
        }
        request = urllib.request.Request(
            f"{self.endpoint_url}/moto-api/static/athena/query-results",
            data=json.dumps({"region": REGION, "results": [result] * count}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            assert response.status == 201, response.status

    def create_iceberg_tables(self, tables: Iterable[tuple[str, str, Mapping[str, str]]]) -> None:
        """Glue entries for (schema, table, {column: type}) as dbt-athena's Iceberg CTAS leaves
        them, so the next compile sees existing tables and renders is_incremental() branches."""
        glue = self.client("glue")
        for schema, table, columns in tables:
            glue.create_table(
                DatabaseName=schema,
                TableInput={
                    "Name": table,
                    "TableType": "EXTERNAL_TABLE",
                    "Parameters": {"table_type": "ICEBERG", "EXTERNAL": "TRUE"},
                    "StorageDescriptor": {
                        "Location": f"s3://{CURATED_BUCKET}/{schema}/{table}/0000",
                        "Columns": [
                            {"Name": name, "Type": data_type} for name, data_type in columns.items()
                        ],
                    },
                },
            )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def fake_aws() -> Iterator[FakeAws]:
    """A moto server on 127.0.0.1 holding the catalog; stopped on exit."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    aws = FakeAws(endpoint_url=f"http://{host}:{port}")
    # moto keeps one state per process: start each fake account empty
    urllib.request.urlopen(
        urllib.request.Request(f"{aws.endpoint_url}/moto-api/reset", method="POST")
    ).close()
    try:
        aws.create_catalog()
        yield aws
    finally:
        server.stop()


def run_with_fake_aws(command: list[str], aws: FakeAws, **kwargs) -> subprocess.CompletedProcess:
    """Run a command (dbt, sqlfluff...) with the prod target pointed at the fake AWS."""
    env = {**os.environ, **aws.env}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(command, env=env, check=False, **kwargs)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    with fake_aws() as aws:
        return run_with_fake_aws(argv, aws, cwd=REPO_ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
