"""Real `cola` processes on throwaway homes, and the sample they build, with the marts and
tables of a clean build of it to compare with."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import tests.dbt.conftest  # noqa: F401  (dbt's target and log folders: one per test process)
from cola.generate import generate
from tests.dbt.warehouse import Warehouse

COLA = Path(sys.executable).parent / "cola"
TABLES = [
    "staging.stg_factory__run_reports",
    "intermediate.int_run_reports_sequenced",
    "marts.fct_machine_daily",
]


@dataclass(frozen=True)
class Built:
    """A home whose raw zone is ready to build, and what a clean build of that raw zone holds."""

    home: Path
    marts: dict[str, list[tuple]]
    tables: dict[str, list[tuple] | None]


def copy_home(source: Path, target: Path) -> Path:
    """A copy of a home; raw files keep their modification (landing) times."""
    shutil.copytree(source, target)
    return target


def clean_build(home: Path, scratch: Path) -> Built:
    """Build a copy of `home`'s raw zone from scratch, in this process."""
    reference = Warehouse(home=scratch / "home", incoming=scratch / "incoming")
    shutil.copytree(home / "raw", reference.home / "raw")
    reference.build()
    return Built(home, reference.marts(), {t: reference.relation(t) for t in TABLES})


def wait_for_lock_holder(home: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    """Until `process` has written itself into the warehouse lock it holds."""
    deadline = time.monotonic() + timeout
    lock = home / "warehouse.lock"
    while f'"pid": {process.pid},' not in (lock.read_text() if lock.exists() else ""):
        assert process.poll() is None, f"`cola` ended ({process.returncode}) before locking"
        assert time.monotonic() < deadline, "`cola` did not take the warehouse lock"
        time.sleep(0.05)


@pytest.fixture
def cola() -> Iterator[Callable[..., subprocess.Popen]]:
    """Start `cola ARGS` as a real process on a home; every one is gone after the test."""
    started: list[subprocess.Popen] = []

    def start(home: Path, *args: str, lock_wait: float = 120, **popen) -> subprocess.Popen:
        env = {**os.environ, "COLA_HOME": str(home), "COLA_LOCK_WAIT": f"{lock_wait:g}"}
        process = subprocess.Popen([str(COLA), *args], env=env, text=True, **popen)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Path:
    """The seeded sample: 3 branches, 4 machines each, 4 weeks (New York's and Amsterdam's
    spring-forward days among them), one file per machine and day."""
    folder = tmp_path_factory.mktemp("sample")
    generate(folder)
    return folder


@pytest.fixture(scope="session")
def landed_sample(tmp_path_factory, sample) -> Built:
    """A home with the whole sample landed, nothing built yet."""
    warehouse = Warehouse(home=tmp_path_factory.mktemp("landed") / "home", incoming=sample)
    warehouse.land(sample)
    return clean_build(warehouse.home, tmp_path_factory.mktemp("clean"))
