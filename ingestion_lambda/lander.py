"""Land one source: the only place where the pure decisions meet storage.

1. the name comes from the source's identity; a raw manifest under that name means it was
   landed before: nothing is written, the earlier key is returned (after finishing the copy,
   if a crash stopped that landing between its manifest and its copy);
2. an S3 key with a path trick (`..`, an absolute path, NUL, too long) is refused unread;
   otherwise the whole file is streamed once through the readability check;
3. readable: the manifest (it holds the raw key), then the byte-exact copy to the raw zone;
   unreadable: if the quarantine's manifest shows it was quarantined before, only what a
   crash left missing is written; else the manifest, the byte-exact copy to the quarantine
   zone, its `.reason.json`.

The manifest goes first so that a retry (even on another day) finds the key of the first
attempt: a crash can never leave two copies of one source, nor a copy without a manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from ingestion_lambda import landing
from ingestion_lambda.landing import LandingResult, ScanResult, SourceInfo
from ingestion_lambda.readability import scan
from ingestion_lambda.storage import Source, Storage

SourceT = TypeVar("SourceT", bound=Source)


def land(
    source: SourceT,
    raw: Storage[SourceT],
    quarantine: Storage[SourceT],
    *,
    now: datetime,
) -> LandingResult:
    info = source.describe()
    name = landing.landing_name(info.filename, info.identity)

    manifest = raw.get_json(landing.raw_manifest_key(name))
    if manifest is not None:
        return _finish_raw(source, raw, info, name, manifest)

    problem = landing.source_problem(info)
    if problem is None:
        result = scan(source.chunks(), sha256=info.sha256)
    else:
        result = ScanResult(size=info.size, sha256=info.sha256, problem=problem)
    landed_at = landing.iso_utc(now)
    key = landing.zone_key(name, info.filename, result.problem, now)

    if result.problem is None:
        raw.put_json(
            landing.raw_manifest_key(name),
            landing.raw_manifest(info, name, key, result, landed_at),
        )
        raw.put_copy(source, key, landing.object_metadata(info, landed_at))
        return LandingResult(source=info.display, outcome="landed", key=key, name=name)

    # Only unreadable files look at the quarantine (readable ones never read that zone).
    quarantined = quarantine.get_json(landing.quarantine_manifest_key(name))
    if quarantined is not None:
        return _finish_quarantine(source, quarantine, info, name, quarantined)
    document = landing.quarantine_document(info, name, key, result, landed_at)
    quarantine.put_json(landing.quarantine_manifest_key(name), document)
    quarantine.put_copy(source, key, landing.object_metadata(info, landed_at))
    quarantine.put_json(landing.reason_key(key), document)
    return landing.result_from_quarantine(info, name, document, is_repeat=False)


def _finish_raw(
    source: SourceT, raw: Storage[SourceT], info: SourceInfo, name: str, manifest: Mapping[str, Any]
) -> LandingResult:
    key = str(manifest["raw_key"])
    if raw.exists(key):
        return landing.result_from_manifest(info, name, manifest)
    raw.put_copy(source, key, landing.object_metadata(info, str(manifest["landed_at"])))
    return LandingResult(source=info.display, outcome="landed", key=key, name=name)


def _finish_quarantine(
    source: SourceT,
    quarantine: Storage[SourceT],
    info: SourceInfo,
    name: str,
    document: Mapping[str, Any],
) -> LandingResult:
    key = str(document["quarantine_key"])
    wrote = False
    if not quarantine.exists(key):
        quarantine.put_copy(source, key, landing.object_metadata(info, str(document["landed_at"])))
        wrote = True
    if not quarantine.exists(landing.reason_key(key)):
        quarantine.put_json(landing.reason_key(key), document)
        wrote = True
    return landing.result_from_quarantine(info, name, document, is_repeat=not wrote)
