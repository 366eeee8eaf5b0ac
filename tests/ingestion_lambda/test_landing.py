"""Pure landing decisions: identity, names, keys, documents."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingestion_lambda import landing
from ingestion_lambda.landing import SourceInfo

NOW = datetime(2024, 1, 3, 10, 0, 0, 123456, tzinfo=UTC)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]{0,80}__[0-9a-f]{16}$")


def test_s3_identity_uses_version_id_when_versioned_else_etag() -> None:
    assert (
        landing.s3_identity("landing", "run-reports/a.csv", "3HL4kqtJlcpXroDTDmJ", '"abc"')
        == "s3://landing/run-reports/a.csv?versionId=3HL4kqtJlcpXroDTDmJ"
    )
    assert (
        landing.s3_identity("landing", "run-reports/a.csv", None, '"abc"')
        == "s3://landing/run-reports/a.csv#abc"
    )
    # objects written while versioning was off report the version "null"
    assert landing.s3_identity("b", "k.csv", "null", "abc") == "s3://b/k.csv#abc"


def test_local_identity_is_path_hash_content_hash() -> None:
    assert landing.local_identity("/data/a.csv", "ff00") == "/data/a.csv#ff00"


def test_name_is_safe_stem_and_16_hex_of_the_identity_digest() -> None:
    identity = "s3://landing/run-reports/x y+é.csv#abc"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    assert landing.landing_name("x y+é.csv", identity) == "x_y__" + "__" + digest


def test_same_identity_same_name_different_identity_different_name() -> None:
    first = landing.landing_name("a.csv", "s3://b/a.csv#etag1")
    assert first == landing.landing_name("a.csv", "s3://b/a.csv#etag1")
    assert first != landing.landing_name("a.csv", "s3://b/a.csv#etag2")
    # the same content at another path is another object
    assert landing.landing_name("a.csv", "/x/a.csv#ff") != landing.landing_name(
        "a.csv", "/y/a.csv#ff"
    )


def test_safe_stem_replaces_unsafe_characters_and_truncates_to_80() -> None:
    assert landing.safe_stem("run 2024/01+ü.csv") == "01__"
    assert landing.safe_stem("report.v2.csv") == "report.v2"
    assert landing.safe_stem("a" * 200 + ".csv") == "a" * 80
    assert landing.safe_stem("noext") == "noext"


@given(filename=st.text(max_size=300), identity=st.text(max_size=300))
def test_every_name_is_safe_and_deterministic(filename: str, identity: str) -> None:
    name = landing.landing_name(filename, identity)
    assert NAME_PATTERN.match(name)
    assert name == landing.landing_name(filename, identity)


def test_zone_keys() -> None:
    name = "abc__0123456789abcdef"
    assert landing.raw_key(name, NOW) == f"raw/run_reports/ingest_date=2024-01-03/{name}.csv"
    assert landing.raw_manifest_key(name) == f"raw/_manifests/run_reports/{name}.json"
    quarantined = landing.quarantine_key(name, "abc.bin", NOW)
    assert quarantined == f"quarantine/run_reports/ingest_date=2024-01-03/{name}.bin"
    assert landing.reason_key(quarantined) == quarantined + ".reason.json"
    assert landing.quarantine_key(name, "no_suffix", NOW).endswith(f"/{name}")


def test_ingest_date_is_the_utc_date() -> None:
    late_in_new_york = datetime(2024, 1, 3, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert landing.ingest_date(late_in_new_york).isoformat() == "2024-01-04"
    with pytest.raises(ValueError, match="timezone-aware"):
        landing.ingest_date(datetime(2024, 1, 3))


def test_iso_utc() -> None:
    assert landing.iso_utc(NOW) == "2024-01-03T10:00:00.123456Z"


def test_object_metadata_is_ascii_and_ties_the_object_to_its_source() -> None:
    info = SourceInfo(
        identity="s3://landing/k#e",
        display="s3://landing/k",
        filename="Kühler 1.csv",
        size=3,
        location={
            "bucket": "landing",
            "key": "site=1/Kühler 1.csv",
            "version_id": None,
            "etag": "e",
        },
    )
    metadata = landing.object_metadata(info, "2024-01-03T10:00:00.000000Z")
    assert metadata == {
        "landed-at": "2024-01-03T10:00:00.000000Z",
        "source-bucket": "landing",
        "source-key": "site=1/K%C3%BChler%201.csv",
        "source-etag": "e",
    }
    assert all(value.isascii() for value in metadata.values())
