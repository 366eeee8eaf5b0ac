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
from urllib.parse import quote, unquote

Outcome = Literal["landed", "already_landed", "quarantined"]

RAW_PREFIX = "raw/run_reports"
RAW_MANIFEST_PREFIX = "raw/_manifests/run_reports"
QUARANTINE_PREFIX = "quarantine/run_reports"
QUARANTINE_MANIFEST_PREFIX = "quarantine/_manifests/run_reports"

STEM_MAX_CHARS = 80
SUFFIX_MAX_CHARS = 16
DIGEST_CHARS = 16
KEY_MAX_BYTES = 1024  # S3's limit: a longer key cannot name an object
METADATA_VALUE_MAX_CHARS = 1024  # S3 allows 2 KB of user metadata in all
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SEPARATORS = re.compile(r"[/\\]")
_DRIVE = re.compile(r"^[A-Za-z]:[/\\]")


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
    """Why a file is quarantined: it cannot be read as UTF-8 text CSV, or its key is refused."""

    reason: Literal["empty", "binary", "not_utf8", "unsafe_key"]
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


def s3_filename(key: str) -> str:
    """The file name of an object key: what follows its last `/`."""
    return key.rsplit("/", 1)[-1]


def safe_stem(filename: str) -> str:
    """The file's stem with characters outside [A-Za-z0-9._-] replaced by `_`, at most 80,
    starting with a letter or digit (Athena, like Hive, skips files named `.…` or `_…`)."""
    stem = PurePosixPath(filename).stem if filename else ""
    return _UNSAFE.sub("_", stem).lstrip("._-")[:STEM_MAX_CHARS]


def file_suffix(filename: str) -> str:
    """The original suffix (`.csv`, `.bin`, …), made safe the same way as the stem, at most 16."""
    return _UNSAFE.sub("_", PurePosixPath(filename).suffix)[:SUFFIX_MAX_CHARS] if filename else ""


def landing_name(filename: str, identity: str) -> str:
    """`<safe_stem>__<first 16 hex of sha256(identity)>` (`report__…` when no stem is left):
    same identity, same name. The name never comes from anything but these characters."""
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:DIGEST_CHARS]
    return f"{safe_stem(filename) or 'report'}__{digest}"


# --- object keys sent by the landing bucket ------------------------------------------------


def key_problem(key: str) -> Problem | None:
    """Why an object key is refused before its file is read: a path trick or an impossible key.

    Landed keys are derived (`landing_name`), never the object's key, so no key can write
    outside the zones; a key that tries, once or twice percent-decoded, is still refused, so
    the sender hears of it. Checked: S3's 1024-byte limit, control characters (NUL…),
    absolute paths (`/…`, `\\…`, `C:`) and `..` segments (with `/` or `\\` as separator)."""
    size = len(key.encode("utf-8", "surrogatepass"))
    if size > KEY_MAX_BYTES:
        return Problem("unsafe_key", f"the object key is {size} bytes long, S3 allows 1024")
    once = unquote(key)
    forms = (
        (key, ""),
        (once, ", once percent-decoded,"),
        (unquote(once), ", twice percent-decoded,"),
    )
    for form, how in forms:
        control = _CONTROL.search(form)
        if control:
            return Problem(
                "unsafe_key",
                f"the object key{how} holds the control character 0x{ord(control.group()):02x} "
                f"at character {control.start() + 1}",
            )
        drive = _DRIVE.match(form)
        if drive or form.startswith(("/", "\\")):
            start = drive.group() if drive else form[0]
            return Problem(
                "unsafe_key", f"the object key{how} is an absolute path (it starts with {start!r})"
            )
        if ".." in _SEPARATORS.split(form):
            return Problem("unsafe_key", f"the object key{how} has a '..' path segment")
    return None


def source_problem(info: SourceInfo) -> Problem | None:
    """A problem with where a file comes from, found before reading it (S3 keys only: a
    local path is the user's own)."""
    key = info.location.get("key")
    return key_problem(key) if key is not None else None


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


def zone_key(name: str, filename: str, problem: Problem | None, now: datetime) -> str:
    """Where a file lands: the raw zone when it can be read, else the quarantine zone."""
    return raw_key(name, now) if problem is None else quarantine_key(name, filename, now)


def reason_key(quarantined_key: str) -> str:
    return f"{quarantined_key}.reason.json"


def quarantine_manifest_key(name: str) -> str:
    return f"{QUARANTINE_MANIFEST_PREFIX}/{name}.json"


# --- documents ------------------------------------------------------------------------------


ISO_UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def iso_utc(now: datetime) -> str:
    """`2024-01-03T10:00:00.123456Z`."""
    ingest_date(now)  # rejects naive datetimes
    return now.astimezone(UTC).strftime(ISO_UTC_FORMAT)


def from_iso_utc(text: str) -> datetime:
    """The moment `iso_utc` wrote."""
    return datetime.strptime(text, ISO_UTC_FORMAT).replace(tzinfo=UTC)


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
    """The `.reason.json` beside a quarantined file (also kept as its manifest): `file` names
    the source (`s3://bucket/key` or the path), `reason` and `detail` the problem."""
    if scan.problem is None:
        raise ValueError(f"{info.display}: nothing to quarantine, the scan found no problem")
    return {
        "file": info.display,
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
