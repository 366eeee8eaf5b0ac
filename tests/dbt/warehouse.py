"""A throwaway local warehouse for tests: land files with the real landing code, run the
real dbt project on DuckDB, read the marts back."""

from __future__ import annotations

from dataclasses import dataclass, field
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

    def land(self, *paths: Path) -> list[LandingResult]:
        return land_paths(list(paths), self.home)

    def land_text(self, name: str, text: str) -> list[LandingResult]:
        return self.land(self.write(name, text))

    def build(self, *, full_refresh: bool = False, tests: bool = True) -> None:
        """`dbt build` (without data and unit tests when tests=False); raises on failure."""
        selection = [] if tests else ["--resource-type", "seed", "--resource-type", "model"]
        run_dbt(self.home, ["build", *selection, *(["--full-refresh"] if full_refresh else [])])

    def query(self, sql: str) -> list[tuple]:
        connection = duckdb.connect(str(self.home / "warehouse.duckdb"))
        try:
            return connection.execute(sql).fetchall()
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

    def marts(self) -> dict[str, list[tuple]]:
        """Every mart's rows, sorted by key, without build metadata."""
        snapshot = {}
        for mart, key in MARTS.items():
            connection = duckdb.connect(str(self.home / "warehouse.duckdb"))
            try:
                relation = connection.sql(f"select * from marts.{mart} limit 0")
                columns = [c for c in relation.columns if not c.startswith("_")]
                sql = f"select {', '.join(columns)} from marts.{mart} order by {key}"
                snapshot[mart] = [
                    tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                    for row in connection.execute(sql).fetchall()
                ]
            finally:
                connection.close()
        return snapshot
