"""Build the Lambda deployment zip reproducibly: `python -m ingestion_lambda.package OUT.zip`.

Only the `ingestion_lambda` package's modules go in (Powertools comes from the AWS-managed
layer, boto3 from the runtime). Same sources, same bytes: sorted entries, a fixed timestamp,
fixed permissions and compression level.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE_NAME = PACKAGE_DIR.name
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # regular file, rw-r--r--
BUILD_ONLY = {"package.py"}  # tooling, not runtime code


def package_files(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The package's runtime modules, sorted by their path inside the zip."""
    files = [
        path
        for path in package_dir.rglob("*.py")
        if "__pycache__" not in path.parts and path.name not in BUILD_ONLY
    ]
    return sorted(files, key=lambda path: path.relative_to(package_dir).as_posix())


def build_zip(out: Path, package_dir: Path = PACKAGE_DIR) -> str:
    """Write the zip to `out` (atomically) and return its sha256."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(handle)
    try:
        with zipfile.ZipFile(temp_name, "w") as archive:
            for path in package_files(package_dir):
                arcname = f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}"
                info = zipfile.ZipInfo(arcname, date_time=FIXED_DATE_TIME)
                info.create_system = 3  # unix, so external_attr means mode bits everywhere
                info.external_attr = FILE_MODE << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes(), compresslevel=9)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, out)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m ingestion_lambda.package OUT.zip", file=sys.stderr)
        return 2
    out = Path(args[0])
    digest = build_zip(out)
    print(f"{out}  sha256={digest}  ({len(package_files())} modules)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
