"""Land one source: the only place where the pure decisions meet storage.

1. the name comes from the source's identity; a raw manifest under that name means it was
   landed before: nothing is written, the earlier key is returned;
2. otherwise the whole file is streamed once through the readability check;
3. readable: byte-exact copy to the raw zone, then the manifest;
   unreadable: if the quarantine's manifest shows it was quarantined before, nothing is
   written; else byte-exact copy to the quarantine zone, its `.reason.json`, its manifest.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from ingestion_lambda import landing
from ingestion_lambda.landing import LandingResult
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
        return landing.result_from_manifest(info, name, manifest)

    result = scan(source.chunks())
    landed_at = landing.iso_utc(now)
    metadata = landing.object_metadata(info, landed_at)

    if result.problem is None:
        key = landing.raw_key(name, now)
        raw.put_copy(source, key, metadata)
        raw.put_json(
            landing.raw_manifest_key(name),
            landing.raw_manifest(info, name, key, result, landed_at),
        )
        return LandingResult(source=info.display, outcome="landed", key=key, name=name)

    # Only unreadable files look at the quarantine (readable ones never read that zone).
    quarantined = quarantine.get_json(landing.quarantine_manifest_key(name))
    if quarantined is not None:
        return landing.result_from_quarantine(info, name, quarantined, is_repeat=True)
    key = landing.quarantine_key(name, info.filename, now)
    document = landing.quarantine_document(info, name, key, result, landed_at)
    quarantine.put_copy(source, key, metadata)
    quarantine.put_json(landing.reason_key(key), document)
    quarantine.put_json(landing.quarantine_manifest_key(name), document)
    return landing.result_from_quarantine(info, name, document, is_repeat=False)
