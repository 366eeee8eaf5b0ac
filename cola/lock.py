"""One writer at a time in $COLA_HOME: an OS file lock on `$COLA_HOME/warehouse.lock`.

`cola ingest`, `cola build` and `cola run` hold it for the whole command (landing, dbt,
summary, report), and so does every in-process dbt invocation (cola.build.run_dbt). Another
command waits up to $COLA_LOCK_WAIT seconds (default 300; 0: refuse at once), then gives up
with a message naming the lock and the process that holds it. The lock is flock(2) on an
open file: the kernel releases it when its holder exits, even on SIGKILL, so a crashed
build never leaves a stale lock. The file stays; it holds the holder's pid, command and
start time.

Landing takes the lock too, although each raw file appears whole (written aside, then
renamed): a file's landing time is its modification time, to the second, and files that
land in the same second are ordered by name. A file landed during a build, in the second
of a file that build read, could then come "before" it: the incremental build and a full
refresh would disagree on which of two copies of a report came first. And two landings of
one source at once would both write its raw file, changing its landing time.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = "warehouse.lock"
WAIT_VARIABLE = "COLA_LOCK_WAIT"
DEFAULT_WAIT_SECONDS = 300.0
POLL_SECONDS = 0.2

_held: set[Path] = set()  # the locks this process holds: nested use does not wait on itself


class LockError(RuntimeError):
    """The warehouse lock could not be taken."""


class WarehouseBusyError(LockError):
    """Another process held the warehouse lock for longer than we would wait."""


def lock_path(home: Path) -> Path:
    return home / LOCK_FILE


def wait_seconds() -> float:
    """How long to wait for another build: $COLA_LOCK_WAIT seconds, else the default."""
    text = os.environ.get(WAIT_VARIABLE, "").strip()
    try:
        seconds = float(text) if text else DEFAULT_WAIT_SECONDS
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise LockError(f"{WAIT_VARIABLE} must be a number of seconds (0 or more), got {text!r}")
    return seconds


def holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it: `process 123 (cola build, since …)`."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f"process {info['pid']} ({info['command']}, since {info['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextmanager
def warehouse_lock(home: Path, command: str, wait: float | None = None) -> Iterator[Path]:
    """Hold the warehouse lock of `home` for the block; `command` says who holds it."""
    path = lock_path(home)
    if path in _held:
        yield path
        return
    home.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(descriptor, path, command, wait_seconds() if wait is None else wait)
        since = datetime.now(UTC).isoformat(timespec="seconds")
        info = {"pid": os.getpid(), "command": command, "since": since}
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, (json.dumps(info) + "\n").encode("utf-8"), 0)
        _held.add(path)
        try:
            yield path
        finally:
            _held.discard(path)
            os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)  # releases the lock


def _acquire(descriptor: int, path: Path, command: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    for attempt in itertools.count():
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            waited = f"; gave up after waiting {wait:g} s" if wait else ""
            raise WarehouseBusyError(
                f"the warehouse is busy: {path} is held by {holder(path)}"
                f"{waited} (set {WAIT_VARIABLE}=<seconds> to wait longer)"
            )
        if attempt == 1:  # a poll later: the holder has written who it is
            print(
                f"{command}: waiting up to {wait:g} s for {path}, held by {holder(path)}",
                file=sys.stderr,
                flush=True,
            )
        time.sleep(max(0.0, min(POLL_SECONDS, deadline - time.monotonic())))
