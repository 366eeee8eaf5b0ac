"""Two `cola` commands on one home never build at once: the second waits for the warehouse
lock (cola/lock.py), or gives up with a message naming the lock and the process holding it."""

from __future__ import annotations

import signal
import subprocess
import time

from cola.cli import BUSY_EXIT_CODE, main
from tests.dbt.warehouse import Warehouse
from tests.reliability.conftest import clean_build, copy_home, wait_for_lock_holder


def _finish(process: subprocess.Popen, timeout: float = 300) -> tuple[str, str]:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, out + err
    return out, err


def _marts(home):
    return Warehouse(home=home, incoming=home / "incoming").marts()


def test_two_builds_started_together_run_one_after_the_other(cola, tmp_path, landed_sample):
    home = copy_home(landed_sample.home, tmp_path / "home")
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    first, second = cola(home, "build", **pipes), cola(home, "build", **pipes)

    errors = {process.pid: _finish(process)[1] for process in (first, second)}

    waited = [pid for pid, err in errors.items() if "waiting up to 120 s" in err]
    assert len(waited) == 1, errors
    (other,) = set(errors) - set(waited)
    assert f"{home / 'warehouse.lock'}, held by process {other} (cola build" in errors[waited[0]]
    assert _marts(home) == landed_sample.marts


def test_while_a_build_holds_the_lock_others_refuse_or_give_up(
    cola, tmp_path, sample, landed_sample
):
    home = copy_home(landed_sample.home, tmp_path / "home")
    holder = cola(home, "build", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_lock_holder(home, holder)
    holder.send_signal(signal.SIGSTOP)  # frozen while it holds the lock
    try:
        refused = cola(home, "build", lock_wait=0, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, refusal = refused.communicate(timeout=120)
        assert refused.returncode == BUSY_EXIT_CODE, refusal
        assert (
            f"cola build: the warehouse is busy: {home / 'warehouse.lock'} is "
            f"held by process {holder.pid} (cola build, since "
        ) in refusal
        assert "COLA_LOCK_WAIT" in refusal

        landing = cola(home, "ingest", str(sample), lock_wait=0, stderr=subprocess.PIPE)
        assert landing.wait(timeout=120) == BUSY_EXIT_CODE, landing.stderr.read()

        began = time.monotonic()
        patient = cola(home, "run", lock_wait=2, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, gave_up = patient.communicate(timeout=120)
        assert patient.returncode == BUSY_EXIT_CODE, gave_up
        assert time.monotonic() - began >= 2
        assert "cola run: waiting up to 2 s for" in gave_up
        assert "gave up after waiting 2 s" in gave_up
    finally:
        holder.send_signal(signal.SIGCONT)
    _finish(holder)

    assert (home / "warehouse.lock").read_text() == ""
    assert not (home / "sample").exists()  # the `cola run` that gave up did nothing
    assert _marts(home) == landed_sample.marts


def test_two_runs_of_one_folder_land_it_once_and_both_build(cola, tmp_path, sample):
    home = tmp_path / "home"
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    runs = [cola(home, "run", str(sample), **pipes) for _ in range(2)]

    outputs = "".join(_finish(process)[0] for process in runs)

    files = len(list(sample.rglob("*.csv")))
    assert outputs.count(f"landed {files} file(s), 0 already landed") == 1, outputs
    assert outputs.count(f"landed 0 file(s), {files} already landed") == 1, outputs
    assert _marts(home) == clean_build(home, tmp_path / "clean").marts


def test_a_wait_that_is_not_a_number_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLA_LOCK_WAIT", "soon")
    assert main(["build"]) == 1
    assert "COLA_LOCK_WAIT must be a number of seconds (0 or more), got 'soon'" in (
        capsys.readouterr().err
    )
