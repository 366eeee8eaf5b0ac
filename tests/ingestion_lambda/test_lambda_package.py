"""The deployment zip: reproducible bytes, only the package's code, and the handler imports."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ingestion_lambda import package

REPO = Path(__file__).resolve().parents[2]


def test_the_zip_is_reproducible(tmp_path: Path) -> None:
    first = package.build_zip(tmp_path / "one" / "lambda.zip")
    # the same sources copied later (fresh mtimes, a __pycache__) give the same bytes
    copy = tmp_path / "checkout" / "ingestion_lambda"
    shutil.copytree(package.PACKAGE_DIR, copy, copy_function=shutil.copyfile)
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "stray.cpython-311.pyc").write_bytes(b"\x00")
    os.utime(copy / "handler.py", (0, 2_000_000_000))
    second = package.build_zip(tmp_path / "two" / "lambda.zip", package_dir=copy)
    assert first == second
    assert hashlib.sha256((tmp_path / "one" / "lambda.zip").read_bytes()).hexdigest() == first


def test_the_zip_holds_only_the_package_code(tmp_path: Path) -> None:
    out = tmp_path / "lambda.zip"
    package.build_zip(out)
    with zipfile.ZipFile(out) as archive:
        infos = archive.infolist()
        assert archive.testzip() is None
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert all(name.startswith("ingestion_lambda/") and name.endswith(".py") for name in names)
    assert {"ingestion_lambda/__init__.py", "ingestion_lambda/handler.py"} <= set(names)
    assert "ingestion_lambda/package.py" not in names
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


def test_the_handler_imports_from_the_zip(tmp_path: Path) -> None:
    out = tmp_path / "lambda.zip"
    completed = subprocess.run(
        [sys.executable, "-m", "ingestion_lambda.package", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "sha256=" in completed.stdout
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import ingestion_lambda.handler as h; "
        "assert h.__file__.startswith(sys.argv[1]), h.__file__; "
        "print(h.__name__ + '.' + h.handler.__name__)"
    )
    env = {**os.environ, "RAW_BUCKET": "raw", "QUARANTINE_BUCKET": "quarantine"}
    env.pop("PYTHONPATH", None)
    imported = subprocess.run(
        [sys.executable, "-c", probe, str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "ingestion_lambda.handler.handler"


def test_usage_without_an_output_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert package.main([]) == 2
    assert "usage: python -m ingestion_lambda.package OUT.zip" in capsys.readouterr().err
