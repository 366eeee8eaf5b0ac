"""Where the project and the local data live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def cola_home() -> Path:
    """The local home of the raw zone, the quarantine and the warehouse: $COLA_HOME or .cola/."""
    configured = os.environ.get("COLA_HOME")
    home = Path(configured) if configured else REPO_ROOT / ".cola"
    return home.expanduser().resolve()


def warehouse_path(home: Path) -> Path:
    return home / "warehouse.duckdb"


def raw_files(home: Path) -> list[Path]:
    """The landed raw files, as dbt reads them."""
    return sorted((home / "raw" / "run_reports").glob("*/*.csv"))
