"""Local landing for the CLI: files and folders into `$COLA_HOME/raw` and `…/quarantine`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from ingestion_lambda.lander import land
from ingestion_lambda.landing import LandingResult, SourceNotFoundError
from ingestion_lambda.storage import LocalFile, LocalStorage

__all__ = ["LandingResult", "SourceNotFoundError", "collect_files", "land_paths"]

LANDING_WORKERS = 4  # files landed at once (measured in the README's performance section)


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _csv_files_under(folder: Path) -> Iterable[Path]:
    """Every `*.csv` (any case) below `folder`, skipping hidden files and folders."""
    for path in folder.rglob("*"):
        if path.suffix.lower() == ".csv" and path.is_file() and not _is_hidden(path, folder):
            yield path.resolve()


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """The files to land, sorted by path, each once. Files given explicitly are taken
    whatever their suffix; folders contribute their `*.csv` files, recursively.

    Raises SourceNotFoundError (a FileNotFoundError) naming the first missing path."""
    files: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files.update(_csv_files_under(path))
        elif path.is_file():
            files.add(path.resolve())
        else:
            raise SourceNotFoundError(2, "no such file or folder to land", str(path))
    return sorted(files)


def land_paths(
    paths: Sequence[Path],
    home: Path,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    workers: int = LANDING_WORKERS,
) -> list[LandingResult]:
    """Land files and folders and return one result per file, in sorted order.

    Files are independent, so `workers` of them land at once: most of a landing waits on
    the disk (each copy and manifest is synced before it is renamed into place) or hashes,
    and both let other threads run. A file's landing time is read as its turn comes, in
    sorted order, so landing times keep the sorted order, as if landed one by one. After
    a failure no file starts; the first failure in sorted order is raised once the
    landings already started have finished (a retry lands the rest)."""
    if workers < 1:
        raise ValueError(f"land_paths: workers must be 1 or more, got {workers}")
    storage = LocalStorage(home)
    files = collect_files(paths)
    free = threading.Semaphore(workers)
    failed = threading.Event()

    def finished(future: Future[LandingResult]) -> None:
        if future.exception() is not None:
            failed.set()
        free.release()

    started: list[Future[LandingResult]] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="land") as pool:
        for path in files:
            free.acquire()
            if failed.is_set():
                break
            future = pool.submit(land, LocalFile(path), storage, storage, now=clock())
            future.add_done_callback(finished)
            started.append(future)
    return [future.result() for future in started]
