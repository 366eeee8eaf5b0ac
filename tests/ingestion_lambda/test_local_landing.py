"""Local landing (`cola ingest`): files and folders into $COLA_HOME."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingestion_lambda import landing
from ingestion_lambda.local import LandingResult, SourceNotFoundError, land_paths

FIXTURES = Path(__file__).parent / "fixtures"
DAY_1 = datetime(2024, 1, 3, 10, 0, tzinfo=UTC)
DAY_9 = datetime(2024, 1, 11, 8, 0, tzinfo=UTC)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A copy of the fixtures, with a nested folder and a hidden one."""
    folder = tmp_path / "inbox"
    shutil.copytree(FIXTURES, folder)
    (folder / "README.md").unlink()
    nested = folder / "site_id=0001" / "day=03"
    nested.mkdir(parents=True)
    (nested / "NESTED.CSV").write_bytes(b"50,start,2024-01-03T06:00:00Z,0001,0009\n")
    (nested / "notes.txt").write_text("not a report, not picked from a folder\n")
    hidden = folder / ".cache"
    hidden.mkdir()
    (hidden / "skip.csv").write_bytes(b"60,start,2024-01-03T06:00:00Z,0001,0001\n")
    return folder


def files_under(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def by_file(results: list[LandingResult]) -> dict[str, LandingResult]:
    return {Path(result.source).name: result for result in results}


def test_a_folder_lands_every_csv_in_sorted_order(inbox: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    results = land_paths([inbox], home, clock=at(DAY_1))

    sources = [result.source for result in results]
    assert sources == [str(path) for path in sorted(map(Path, sources))]
    assert [Path(source).name for source in sources] == [
        "bad_rows.csv",
        "bom_crlf_header.csv",
        "empty.csv",
        "latin1.csv",
        "reports_2024-01-03.csv",
        "NESTED.CSV",
        "unicode_text.csv",
        "whitespace_only.csv",
    ]
    outcomes = {name: (r.outcome, r.reason) for name, r in by_file(results).items()}
    assert outcomes == {
        "bad_rows.csv": ("landed", None),
        "bom_crlf_header.csv": ("landed", None),
        "empty.csv": ("quarantined", "empty"),
        "latin1.csv": ("quarantined", "not_utf8"),
        "reports_2024-01-03.csv": ("landed", None),
        "NESTED.CSV": ("landed", None),
        "unicode_text.csv": ("landed", None),
        "whitespace_only.csv": ("quarantined", "empty"),
    }


def test_landed_files_are_byte_exact_copies_with_a_manifest(inbox: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    source = inbox / "bom_crlf_header.csv"
    [result] = land_paths([source], home, clock=at(DAY_1))

    identity = landing.local_identity(str(source.resolve()), _sha256(source))
    name = f"bom_crlf_header__{_digest(identity)}"
    assert result == LandingResult(
        source=str(source.resolve()),
        outcome="landed",
        key=f"raw/run_reports/ingest_date=2024-01-03/{name}.csv",
        name=name,
    )
    landed = home / result.key
    assert landed.read_bytes() == source.read_bytes()
    assert landed.stat().st_mtime == DAY_1.timestamp()  # dbt reads it as the landing time
    assert landed.read_bytes().startswith(b"\xef\xbb\xbfid,type") and b"\r\n" in landed.read_bytes()
    manifest = json.loads((home / f"raw/_manifests/run_reports/{name}.json").read_text())
    assert manifest == {
        "name": name,
        "identity": identity,
        "source": {"path": str(source.resolve())},
        "size": source.stat().st_size,
        "sha256": _sha256(source),
        "raw_key": result.key,
        "landed_at": "2024-01-03T10:00:00.000000Z",
    }


def test_landing_again_days_later_changes_nothing(inbox: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = land_paths([inbox], home, clock=at(DAY_1))
    before = {path: (home / path).stat().st_mtime_ns for path in files_under(home)}
    contents = {path: (home / path).read_bytes() for path in files_under(home)}

    for _ in range(2):
        again = land_paths([inbox], home, clock=at(DAY_9))
        assert [r.key for r in again] == [r.key for r in first]
        assert all(r.is_repeat for r in again)
        assert {r.outcome for r in again if r.reason is None} == {"already_landed"}
        assert [r.reason for r in again] == [r.reason for r in first]

    assert {path: (home / path).stat().st_mtime_ns for path in files_under(home)} == before
    assert {path: (home / path).read_bytes() for path in files_under(home)} == contents
    assert not any("ingest_date=2024-01-11" in path for path in files_under(home))


def test_a_copy_a_crash_left_unwritten_is_written_with_the_first_landing_time(
    inbox: Path, tmp_path: Path
) -> None:
    home, source = tmp_path / "home", inbox / "reports_2024-01-03.csv"
    [first] = land_paths([source], home, clock=at(DAY_1))
    (home / first.key).unlink()  # a crash between the manifest and the copy
    [retry] = land_paths([source], home, clock=at(DAY_9))
    assert (retry.outcome, retry.key) == ("landed", first.key)
    assert (home / first.key).read_bytes() == source.read_bytes()
    assert (home / first.key).stat().st_mtime == DAY_1.timestamp()


def test_changed_content_at_the_same_path_is_a_new_landing(tmp_path: Path) -> None:
    home, report = tmp_path / "home", tmp_path / "r.csv"
    report.write_bytes(b"1,start,2024-01-03T06:00:00Z,1,1\n")
    [first] = land_paths([report], home, clock=at(DAY_1))
    report.write_bytes(b"1,start,2024-01-03T06:00:00Z,1,1\n2,stop,2024-01-03T07:00:00Z,1,1\n")
    [second] = land_paths([report], home, clock=at(DAY_1))
    assert second.outcome == "landed" and second.key != first.key
    assert (home / first.key).read_bytes() != (home / second.key).read_bytes()


def test_the_same_content_at_another_path_is_another_landing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "r.csv").write_bytes(b"1,start,2024-01-03T06:00:00Z,1,1\n")
    results = land_paths([tmp_path / "a", tmp_path / "b"], home, clock=at(DAY_1))
    assert [r.outcome for r in results] == ["landed", "landed"]
    assert results[0].key != results[1].key


def test_unreadable_files_go_whole_to_quarantine_with_a_reason(inbox: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    binary = inbox / "machine_dump.bin"
    binary.write_bytes(b"1,start,\x00\x00\x01\x02")
    results = by_file(
        land_paths([inbox / "latin1.csv", inbox / "empty.csv", binary], home, clock=at(DAY_1))
    )

    for filename, reason, detail in [
        ("latin1.csv", "not_utf8", "byte offset 31 (line 1, column 32)"),
        ("empty.csv", "empty", "zero bytes"),
        ("machine_dump.bin", "binary", "NUL byte at byte offset 8 (line 1, column 9)"),
    ]:
        result = results[filename]
        assert result.outcome == "quarantined"
        assert result.reason == reason and detail in (result.detail or "")
        suffix = Path(filename).suffix
        assert result.key == (
            f"quarantine/run_reports/ingest_date=2024-01-03/{result.name}{suffix}"
        )
        assert (home / result.key).read_bytes() == (inbox / filename).read_bytes()
        document = json.loads((home / (result.key + ".reason.json")).read_text())
        assert document["reason"] == reason and detail in document["detail"]
        assert document["source"] == {"path": str((inbox / filename).resolve())}
        assert document["landed_at"] == "2024-01-03T10:00:00.000000Z"
    assert not (home / "raw").exists()
    assert (inbox / "latin1.csv").read_bytes() == (FIXTURES / "latin1.csv").read_bytes()


def test_an_explicit_file_lands_whatever_its_suffix(inbox: Path, tmp_path: Path) -> None:
    notes = inbox / "site_id=0001" / "day=03" / "notes.txt"
    [result] = land_paths([notes], tmp_path / "home", clock=at(DAY_1))
    assert result.outcome == "landed"
    assert result.key.endswith(f"/{result.name}.csv") and result.name.startswith("notes__")


def test_a_file_given_twice_lands_once(inbox: Path, tmp_path: Path) -> None:
    report = inbox / "reports_2024-01-03.csv"
    results = land_paths([report, inbox, report], tmp_path / "home", clock=at(DAY_1))
    assert [r.source for r in results].count(str(report.resolve())) == 1


def test_a_missing_path_is_a_clear_error_and_nothing_lands(inbox: Path, tmp_path: Path) -> None:
    home, missing = tmp_path / "home", tmp_path / "no" / "such.csv"
    with pytest.raises(SourceNotFoundError, match="no such file or folder") as raised:
        land_paths([inbox, missing], home)
    assert isinstance(raised.value, FileNotFoundError)
    assert str(missing) in str(raised.value)
    assert not home.exists()


def _one_report_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    paths = [folder / f"r{index:02d}.csv" for index in range(count)]
    for index, path in enumerate(paths):
        path.write_bytes(f"{index},start,2024-01-03T06:00:00Z,0001,0001\n".encode())
    return paths


def _landed_at(home: Path, result: LandingResult) -> str:
    manifest = home / f"raw/_manifests/run_reports/{result.name}.json"
    return str(json.loads(manifest.read_text())["landed_at"])


def test_files_land_at_once_with_landing_times_in_sorted_order(tmp_path: Path) -> None:
    # each reading of the clock is one second later: the n-th file (sorted) must get the n-th
    _one_report_files(tmp_path / "inbox", 24)
    home, ticks = tmp_path / "home", itertools.count()
    results = land_paths(
        [tmp_path / "inbox"],
        home,
        clock=lambda: DAY_1 + timedelta(seconds=next(ticks)),
        workers=4,
    )
    assert [Path(result.source).name for result in results] == [
        f"r{index:02d}.csv" for index in range(24)
    ]
    moments = [DAY_1 + timedelta(seconds=index) for index in range(24)]
    assert [_landed_at(home, result) for result in results] == list(map(landing.iso_utc, moments))
    # the copies' modification times, which dbt reads as landing times, are the same
    assert [(home / result.key).stat().st_mtime for result in results] == [
        moment.timestamp() for moment in moments
    ]


def test_a_file_that_fails_to_land_is_raised_and_a_retry_lands_the_rest(tmp_path: Path) -> None:
    paths = _one_report_files(tmp_path / "inbox", 24)
    lost, kept = paths[5], paths[5].read_bytes()

    def clock_that_loses_a_file() -> datetime:
        lost.unlink(missing_ok=True)  # gone after it was listed, before it lands
        return DAY_1

    home = tmp_path / "home"
    with pytest.raises(SourceNotFoundError, match=r"r05\.csv"):
        land_paths([tmp_path / "inbox"], home, clock=clock_that_loses_a_file, workers=4)
    manifests = home / "raw/_manifests/run_reports"
    first = sorted(path.name.split("__")[0] for path in manifests.glob("*.json"))
    assert first[:5] == ["r00", "r01", "r02", "r03", "r04"] and "r05" not in first

    lost.write_bytes(kept)
    again = land_paths([tmp_path / "inbox"], home, clock=at(DAY_9), workers=4)
    outcomes = [result.outcome for result in again]
    assert outcomes.count("already_landed") == len(first)
    assert outcomes.count("landed") == 24 - len(first)
    assert len(list(manifests.glob("*.json"))) == 24


def test_no_temporary_files_are_left_behind(inbox: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    land_paths([inbox], home, clock=at(DAY_1))
    assert not [path for path in files_under(home) if Path(path).name.startswith(".")]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _digest(identity: str) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()[:16]
