"""A throwaway local warehouse for tests: land files with the real landing code, run the
real dbt project on DuckDB, read the marts back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from cola.build import run_dbt
from ingestion_lambda.local import LandingResult, land_paths

MARTS = {
    "fct_machine_runs": "run_id",
    "fct_machine_daily": "machine_day_id",
    "fct_report_issues": "issue_id",
    "dim_machines": "machine_key",
}


@dataclass
class Warehouse:
    home: Path
    incoming: Path
    _written: int = field(default=0)

    def write(self, name: str, text: str | bytes) -> Path:
        """A file as a machine would send it, in the incoming folder."""
        path = self.incoming / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    def land(self, *paths: Path, at: datetime | None = None) -> list[LandingResult]:
        """Land with the real landing code. `at` (aware, whole seconds) stands for the landing
        clock: it picks the ingest_date partition and, as the landing time, becomes the
        modification time of the raw files, which dbt reads as their landing time."""
        if at is None:
            return land_paths(list(paths), self.home)
        return land_paths(list(paths), self.home, clock=lambda: at)

    def land_text(self, name: str, text: str) -> list[LandingResult]:
        return self.land(self.write(name, text))

    def build(self, *, full_refresh: bool = False, tests: bool = True) -> None:
        """`dbt build` (without data and unit tests when tests=False); raises on failure."""
        selection = [] if tests else ["--resource-type", "seed", "--resource-type", "model"]
        run_dbt(self.home, ["build", *selection, *(["--full-refresh"] if full_refresh else [])])

    def query(self, sql: str, parameters: list | None = None) -> list[tuple]:
        connection = duckdb.connect(str(self.home / "warehouse.duckdb"))
        try:
            return connection.execute(sql, parameters).fetchall()
        finally:
            connection.close()

    def rows(self, sql: str) -> list[dict]:
        connection = duckdb.connect(str(self.home / "warehouse.duckdb"))
        try:
            result = connection.execute(sql)
            names = [column[0] for column in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        finally:
            connection.close()

    def relation(self, name: str) -> list[tuple] | None:
        """A table's or view's rows without build metadata (columns starting with `_`),
        floats rounded, sorted; None when there is no such relation."""
        schema, table = name.split(".")
        connection = duckdb.connect(str(self.home / "warehouse.duckdb"))
        try:
            columns = [
                column
                for (column,) in connection.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if not column.startswith("_")
            ]
            if not columns:
                return None
            sql = f"select {', '.join(columns)} from {name} order by all"
            return [
                tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                for row in connection.execute(sql).fetchall()
            ]
        finally:
            connection.close()

    def marts(self) -> dict[str, list[tuple]]:
        """Every mart's rows, sorted, without build metadata."""
        return {mart: self.relation(f"marts.{mart}") for mart in MARTS}
