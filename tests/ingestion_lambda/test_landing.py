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


def test_names_never_start_with_a_dot_or_an_underscore() -> None:
    # Athena (like Hive) skips files named `.…` or `_…`: such a landed file would never be read
    assert landing.safe_stem(".hidden.csv") == "hidden"
    assert landing.safe_stem("_tmp.csv") == "tmp"
    assert landing.safe_stem("-n.csv") == "n"
    assert landing.safe_stem("Ünter.csv") == "nter"
    assert landing.landing_name("报告.csv", "id").startswith("report__")
    assert landing.landing_name("..", "id").startswith("report__")
    assert landing.landing_name("", "id").startswith("report__")


def test_the_suffix_is_made_safe_and_short() -> None:
    assert landing.file_suffix("dump.csv.gz") == ".gz"
    assert landing.file_suffix("a.c s+v") == ".c_s_v"
    assert landing.file_suffix("a." + "x" * 2000) == "." + "x" * 15
    assert landing.file_suffix("no_suffix") == ""


@pytest.mark.parametrize(
    ("key", "detail"),
    [
        ("../x.csv", "the object key has a '..' path segment"),
        ("run-reports/../../raw/run_reports/x.csv", "the object key has a '..' path segment"),
        ("run-reports\\..\\..\\x.csv", "the object key has a '..' path segment"),
        ("run-reports/x/..", "the object key has a '..' path segment"),
        ("/etc/x.csv", "the object key is an absolute path (it starts with '/')"),
        ("\\\\server\\x.csv", "the object key is an absolute path (it starts with '\\\\')"),
        ("C:\\reports\\x.csv", "the object key is an absolute path (it starts with 'C:\\\\')"),
        (
            "%2e%2e/%2E%2e/raw/x.csv",
            "the object key, once percent-decoded, has a '..' path segment",
        ),
        (
            "run-reports/..%2F..%2Fquarantine%2F_manifests%2Fx.json",
            "the object key, once percent-decoded, has a '..' path segment",
        ),
        ("%252e%252e%252fx.csv", "the object key, twice percent-decoded, has a '..' path segment"),
        ("%2Fetc%2Fx.csv", "the object key, once percent-decoded, is an absolute path"),
        ("run-reports/a\x00b.csv", "holds the control character 0x00 at character 14"),
        ("run-reports/a%00b.csv", "once percent-decoded, holds the control character 0x00"),
        ("run-reports/line\nbreak.csv", "holds the control character 0x0a at character 17"),
        ("run-reports/" + "x" * 1100, "the object key is 1112 bytes long, S3 allows 1024"),
        ("run-reports/" + "é" * 510 + ".csv", "the object key is 1036 bytes long"),
    ],
)
def test_keys_with_path_tricks_are_refused_in_clear_words(key: str, detail: str) -> None:
    problem = landing.key_problem(key)
    assert problem is not None and problem.reason == "unsafe_key"
    assert detail in problem.detail


@pytest.mark.parametrize(
    "key",
    [
        "run-reports/site_id=0001/day=03/6f1c2d3e.csv",
        "run-reports/Zürich/Kühler 报告 🥤.csv",
        "run-reports/a+b=c.csv",
        "run-reports/100%25/literal%2Bplus.csv",
        "run-reports/a..b/report...csv",
        "run-reports/./x.csv",
        "run-reports//x.csv",
        "raw/run_reports/ingest_date=2024-01-03/x.csv",  # a name only: landing derives its key
        "x" * 1024,
    ],
)
def test_ordinary_keys_pass(key: str) -> None:
    assert landing.key_problem(key) is None


FRAGMENTS = ["..", ".", "/", "\\", "%2e", "%2E", "%2f", "%25", "%00", "\x00", "C:", "_", "ü"]
ANY_KEY = st.one_of(
    st.text(max_size=1100),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=30).map("".join),
)
SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._=-]*$")


@given(key=ANY_KEY, etag=st.text("0123456789abcdef", max_size=32))
def test_every_key_lands_inside_the_zones(key: str, etag: str) -> None:
    """Whatever the key, every object the landing writes for it is under `raw/` or
    `quarantine/`, made of safe segments (no `..`, no separator, no control character)."""
    filename = landing.s3_filename(key)
    name = landing.landing_name(filename, landing.s3_identity("landing", key, None, etag))
    problem = landing.key_problem(key)
    destination = landing.zone_key(name, filename, problem, NOW)

    assert destination.rsplit("/", 1)[-1][0].isalnum()  # never hidden from Athena
    written = [destination]
    if problem is None:
        assert destination.startswith(landing.RAW_PREFIX + "/")
        written.append(landing.raw_manifest_key(name))
    else:
        assert destination.startswith(landing.QUARANTINE_PREFIX + "/")
        written += [landing.reason_key(destination), landing.quarantine_manifest_key(name)]
    for written_key in written:
        assert written_key.startswith(("raw/", "quarantine/"))
        segments = written_key.split("/")
        assert all(SAFE_SEGMENT.match(segment) for segment in segments), written_key
        assert ".." not in segments and len(written_key) < 200
    if ".." in re.split(r"[/\\]", key) or key.startswith("/"):
        assert problem is not None
