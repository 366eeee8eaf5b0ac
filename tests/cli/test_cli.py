"""The `cola` command end to end on small files: exit codes, messages, the summary."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from cola.cli import main
from cola.generate import generate
from tests.dbt.conftest import FIXTURES


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cola-home"
    monkeypatch.setenv("COLA_HOME", str(home))
    return home


def test_run_lands_builds_and_summarizes(home, capsys):
    assert main(["run", str(FIXTURES / "timeline.csv"), str(FIXTURES / "messy_rows.csv")]) == 0
    out = capsys.readouterr().out
    assert "landed 2 file(s), 0 already landed, 0 quarantined" in out
    assert "machines: 2 (1 running now)" in out
    assert "runs: 5 (1 open)" in out
    assert "invalid_row 8" in out and "missing_start 2" in out and "missing_stop 1" in out
    assert f"warehouse: {home / 'warehouse.duckdb'}" in out
    assert (home / "warehouse.duckdb").exists()


def test_ingest_quarantines_unreadable_files_and_says_why(home, tmp_path, capsys):
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert main(["ingest", str(binary), str(FIXTURES / "timeline.csv")]) == 0
    out = capsys.readouterr().out
    assert "quarantined" in out and "photo.csv" in out and "binary" in out
    assert "landed 1 file(s), 0 already landed, 1 quarantined" in out
    reasons = list((home / "quarantine").rglob("*.reason.json"))
    assert len(reasons) == 1
    assert binary.read_bytes().startswith(b"\x89PNG")  # the original is untouched


def test_ingest_of_a_missing_path_fails_clearly(home, tmp_path, capsys):
    missing = tmp_path / "nowhere.csv"
    assert main(["ingest", str(missing)]) == 1
    assert "nowhere.csv" in capsys.readouterr().err
    assert not (home / "raw").exists()


def test_build_before_anything_is_landed_fails_clearly(home, capsys):
    assert main(["build"]) == 1
    assert "run `cola ingest PATH` first" in capsys.readouterr().err


def test_a_failing_dbt_test_is_a_non_zero_exit(home, tmp_path, capsys):
    # a report landed, then its raw file deleted behind dbt's back: reconciliation fails
    assert main(["run", str(FIXTURES / "timeline.csv")]) == 0
    raw_file = next((home / "raw" / "run_reports").rglob("*.csv"))
    raw_file.write_text(raw_file.read_text() + "t-11,stop,2024-01-01T15:00:00Z,0009,0005\n")
    assert main(["build"]) == 1
    assert "failing tests" in capsys.readouterr().err


def test_generate_is_seeded_and_sprinkles_defects(tmp_path):
    first = generate(tmp_path / "a", days=10)
    second = generate(tmp_path / "b", days=10)

    def digest(paths, root):
        return [
            (p.relative_to(root).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
            for p in paths
        ]

    assert digest(first, tmp_path / "a") == digest(second, tmp_path / "b")
    assert len({p.parent.parent.name for p in first}) == 3  # branches
    assert len({(p.parent.parent.name, p.parent.name) for p in first}) == 12  # machines
    text = b"".join(p.read_bytes() for p in first)
    assert b"\r\n" in text and text.count(b"\xef\xbb\xbf") >= 1
    different = generate(tmp_path / "c", days=10, seed=8)
    assert digest(different, tmp_path / "c") != digest(first, tmp_path / "a")


def test_the_console_script_is_installed():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cola"), "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    for command in ("ingest", "build", "run", "generate"):
        assert command in result.stdout
