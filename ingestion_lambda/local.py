"""Local landing for the CLI: files and folders into `$COLA_HOME/raw` and `…/quarantine`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ingestion_lambda.lander import land
from ingestion_lambda.landing import LandingResult, SourceNotFoundError
from ingestion_lambda.storage import LocalFile, LocalStorage

__all__ = ["LandingResult", "SourceNotFoundError", "collect_files", "land_paths"]


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
) -> list[LandingResult]:
    """Land files and folders one by one, in sorted order, and return one result per file."""
    storage = LocalStorage(home)
    return [land(LocalFile(path), storage, storage, now=clock()) for path in collect_files(paths)]
