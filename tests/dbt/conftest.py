import os
import tempfile
from pathlib import Path

import pytest

from tests.dbt.warehouse import Warehouse

# dbt's compiled files and logs go to a private folder, so tests never race with other
# dbt invocations on the same checkout; partial parsing still works across tests.
_DBT_SCRATCH = Path(tempfile.mkdtemp(prefix="cola-dbt-tests-"))
os.environ.setdefault("DBT_TARGET_PATH", str(_DBT_SCRATCH / "target"))
os.environ.setdefault("DBT_LOG_PATH", str(_DBT_SCRATCH / "logs"))
os.environ.setdefault("DO_NOT_TRACK", "1")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(home=tmp_path / "home", incoming=tmp_path / "incoming")
