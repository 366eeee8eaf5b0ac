"""Pure landing decisions: names, zone keys and the documents written beside a landed file.

Nothing here does I/O. The same functions serve the local CLI (`cola ingest`) and the Lambda.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import quote

Outcome = Literal["landed", "already_landed", "quarantined"]

RAW_PREFIX = "raw/run_reports"
RAW_MANIFEST_PREFIX = "raw/_manifests/run_reports"
QUARANTINE_PREFIX = "quarantine/run_reports"
QUARANTINE_MANIFEST_PREFIX = "quarantine/_manifests/run_reports"

STEM_MAX_CHARS = 80
DIGEST_CHARS = 16
METADATA_VALUE_MAX_CHARS = 1024  # S3 allows 2 KB of user metadata in all
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class SourceNotFoundError(FileNotFoundError):
    """The file or object to land does not exist (a clear error, never a quarantine)."""


@dataclass(frozen=True)
class SourceInfo:
    """What the landing knows about a source before reading it.

    `identity` decides the landed name; `location` is written to manifests and reason files.
    """

    identity: str
    display: str
    filename: str
    size: int
    location: Mapping[str, str | None]
    sha256: str | None = None


@dataclass(frozen=True)
class LandingResult:
    """The outcome of landing one source. `key` is relative to the zone's root or bucket."""

    source: str
    outcome: Outcome
    key: str
    reason: str | None = None
    detail: str | None = None
    name: str = ""
    is_repeat: bool = False  # True when an earlier landing was found and nothing was written

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "outcome": self.outcome,
            "key": self.key,
            "reason": self.reason,
            "detail": self.detail,
            "name": self.name,
            "is_repeat": self.is_repeat,
        }


@dataclass(frozen=True)
class Problem:
    """Why a file cannot be read as UTF-8 text CSV."""

    reason: Literal["empty", "binary", "not_utf8"]
    detail: str


@dataclass(frozen=True)
class ScanResult:
    """A whole-file pass: size, sha256 (None when the scan stopped early) and any problem."""

    size: int
    sha256: str | None
    problem: Problem | None = field(default=None)


# --- identity and names -------------------------------------------------------------------


def s3_identity(bucket: str, key: str, version_id: str | None, etag: str | None) -> str:
    """`s3://bucket/key?versionId=…` for a versioned object, else `s3://bucket/key#etag`."""
    base = f"s3://{bucket}/{key}"
    if is_real_version(version_id):
        return f"{base}?versionId={version_id}"
    return f"{base}#{clean_etag(etag)}"


def local_identity(resolved_path: str, sha256: str) -> str:
    """The resolved absolute path, `#`, and the sha256 of the file's content."""
    return f"{resolved_path}#{sha256}"


def is_real_version(version_id: str | None) -> bool:
    """S3 reports the version of an object written while versioning was off as "null"."""
    return bool(version_id) and version_id != "null"


def clean_etag(etag: str | None) -> str:
    return (etag or "").strip('"')


def safe_stem(filename: str) -> str:
    """The file's stem with characters outside [A-Za-z0-9._-] replaced by `_`, at most 80."""
    stem = PurePosixPath(filename).stem if filename else ""
    return _UNSAFE.sub("_", stem)[:STEM_MAX_CHARS]


def file_suffix(filename: str) -> str:
    """The original suffix (`.csv`, `.bin`, …), made safe the same way as the stem."""
    return _UNSAFE.sub("_", PurePosixPath(filename).suffix) if filename else ""


def landing_name(filename: str, identity: str) -> str:
    """`<safe_stem>__<first 16 hex of sha256(identity)>`: same identity, same name."""
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:DIGEST_CHARS]
    return f"{safe_stem(filename)}__{digest}"


# --- keys -----------------------------------------------------------------------------------


def ingest_date(now: datetime) -> date:
    """The UTC date of the landing."""
    if now.tzinfo is None:
        raise ValueError(f"landing time must be timezone-aware, got {now!r}")
    return now.astimezone(UTC).date()


def raw_key(name: str, now: datetime) -> str:
    return f"{RAW_PREFIX}/ingest_date={ingest_date(now).isoformat()}/{name}.csv"


def raw_manifest_key(name: str) -> str:
    return f"{RAW_MANIFEST_PREFIX}/{name}.json"


def quarantine_key(name: str, filename: str, now: datetime) -> str:
    day = ingest_date(now).isoformat()
    return f"{QUARANTINE_PREFIX}/ingest_date={day}/{name}{file_suffix(filename)}"


def reason_key(quarantined_key: str) -> str:
    return f"{quarantined_key}.reason.json"


def quarantine_manifest_key(name: str) -> str:
    return f"{QUARANTINE_MANIFEST_PREFIX}/{name}.json"


# --- documents ------------------------------------------------------------------------------


def iso_utc(now: datetime) -> str:
    """`2024-01-03T10:00:00.123456Z`."""
    ingest_date(now)  # rejects naive datetimes
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def raw_manifest(
    info: SourceInfo, name: str, key: str, scan: ScanResult, landed_at: str
) -> dict[str, Any]:
    return {
        "name": name,
        "identity": info.identity,
        "source": dict(info.location),
        "size": info.size,
        "sha256": scan.sha256 or info.sha256,
        "raw_key": key,
        "landed_at": landed_at,
    }


def quarantine_document(
    info: SourceInfo, name: str, key: str, scan: ScanResult, landed_at: str
) -> dict[str, Any]:
    """The `.reason.json` beside a quarantined file (also kept as its manifest)."""
    if scan.problem is None:
        raise ValueError(f"{info.display}: nothing to quarantine, the scan found no problem")
    return {
        "reason": scan.problem.reason,
        "detail": scan.problem.detail,
        "name": name,
        "identity": info.identity,
        "source": dict(info.location),
        "size": info.size,
        "sha256": scan.sha256 or info.sha256,
        "quarantine_key": key,
        "landed_at": landed_at,
    }


def object_metadata(info: SourceInfo, landed_at: str) -> dict[str, str]:
    """S3 user metadata tying a landed object to its source (ASCII only, keys percent-encoded)."""
    metadata = {"landed-at": landed_at}
    for field_name, value in info.location.items():
        if value:
            meta_key = "source-" + field_name.replace("_", "-")
            metadata[meta_key] = quote(value, safe="/=:")[:METADATA_VALUE_MAX_CHARS]
    return metadata


def result_from_manifest(info: SourceInfo, name: str, manifest: Mapping[str, Any]) -> LandingResult:
    return LandingResult(
        source=info.display,
        outcome="already_landed",
        key=str(manifest["raw_key"]),
        name=name,
        is_repeat=True,
    )


def result_from_quarantine(
    info: SourceInfo, name: str, document: Mapping[str, Any], *, is_repeat: bool
) -> LandingResult:
    return LandingResult(
        source=info.display,
        outcome="quarantined",
        key=str(document["quarantine_key"]),
        reason=str(document["reason"]),
        detail=str(document["detail"]),
        name=name,
        is_repeat=is_repeat,
    )
