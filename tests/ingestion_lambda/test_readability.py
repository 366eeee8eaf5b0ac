"""The streaming readability check: rules, positions, and independence from chunking."""

from __future__ import annotations

import gzip
import hashlib
import itertools
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingestion_lambda.landing import Problem
from ingestion_lambda.readability import scan


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def split_at(data: bytes, cuts: Sequence[int]) -> list[bytes]:
    bounds = [0, *sorted({min(max(cut, 0), len(data)) for cut in cuts}), len(data)]
    return [data[start:end] for start, end in itertools.pairwise(bounds)]


def verdict(data: bytes, chunk_size: int = 1 << 20) -> Problem | None:
    return scan(chunked(data, chunk_size)).problem


@pytest.mark.parametrize(
    "data",
    [
        b"1,start,2024-01-03T06:00:00Z,0001,0001\n",
        b"\xef\xbb\xbfid,type,time,branch_id,machine_id\r\n1,start,2024-01-03T06:00:00Z,1,1\r\n",
        "1,start,2024-01-03T06:00:00Z,Zürich,Kühler\n".encode(),
        b"no newline at the end",
        b"20,start,not-a-time,0003\n21,stop\n",  # row problems are not the landing's business
    ],
    ids=["plain", "bom-crlf-header", "utf8-text", "no-final-newline", "bad-rows"],
)
def test_readable_text_passes(data: bytes) -> None:
    assert verdict(data) is None


@pytest.mark.parametrize(
    ("data", "reason", "detail"),
    [
        (b"", "empty", "zero bytes"),
        (b" \r\n\t\n", "empty", "only whitespace in 5 bytes"),
        (b"\xef\xbb\xbf", "empty", "only whitespace"),
        (b"\xef\xbb\xbf\r\n\xef\xbb\xbf \n", "empty", "only whitespace"),
        (b"1,start\n2,st\x00op\n", "binary", "NUL byte at byte offset 12 (line 2, column 5)"),
        (gzip.compress(b"1,start\n", mtime=0), "binary", "gzip-compressed: the file starts"),
        (b"PK\x03\x04\x14\x00", "binary", "zip archive (or xlsx)"),
        ("1,start,Kühler\n".encode("latin-1"), "not_utf8", "byte offset 9 (line 1, column 10)"),
        (b"ok\n\xff\n", "not_utf8", "not UTF-8 at byte offset 3 (line 2, column 1): byte 0xff"),
        (b"ends in the middle of \xe2\x82", "not_utf8", "unexpected end of data"),
        ("1,start\n".encode("utf-16"), "not_utf8", "UTF-16 text, not UTF-8: it starts with"),
        ("1,start\n".encode("utf-16-le"), "not_utf8", "no byte order mark, but every second"),
        ("1,start\n".encode("utf-16-be"), "not_utf8", "of the first 8 is NUL (big-endian)"),
        (b"\x01\x00\x02\x00\x03\x00\x04\x00", "binary", "NUL byte at byte offset 1"),
        (b"1\x00,\x00", "binary", "NUL byte at byte offset 1"),  # too short to tell
    ],
    ids=[
        "zero-bytes",
        "whitespace",
        "bom-only",
        "boms-and-whitespace",
        "nul",
        "gzip",
        "zip",
        "latin-1",
        "invalid-start-byte",
        "truncated-at-end",
        "utf-16",
        "utf-16le-no-bom",
        "utf-16be-no-bom",
        "nul-pairs-not-text",
        "short-nul",
    ],
)
def test_unreadable_files_and_their_reasons(data: bytes, reason: str, detail: str) -> None:
    problem = verdict(data)
    assert problem is not None
    assert problem.reason == reason
    assert detail in problem.detail


def test_invalid_utf8_deep_in_a_large_file_is_found() -> None:
    head = b"1,start,2024-01-03T06:00:00Z,0001,0001\n" * 100_000  # ~3.9 MB, 4 chunks of 1 MiB
    problem = verdict(head + b"\xe9\n")
    assert problem == Problem(
        "not_utf8",
        f"not UTF-8 at byte offset {len(head)} (line 100001, column 1): byte 0xe9 "
        "(invalid continuation byte); save the file as UTF-8",
    )


def test_a_nul_after_invalid_utf8_makes_the_file_binary() -> None:
    problem = verdict(b"caf\xe9\n" + b"x" * 10 + b"\x00", chunk_size=4)
    assert problem is not None
    assert problem.reason == "binary"


def test_a_multibyte_character_split_across_chunks_is_not_flagged() -> None:
    text = "€ Zürich 报告 🥤\n".encode()  # 3-, 2-, 3- and 4-byte characters
    for size in range(1, 8):
        assert verdict(text, chunk_size=size) is None, size


def test_an_invalid_byte_inside_a_split_sequence_is_placed_exactly() -> None:
    data = b"ab\n\xe2\x82X\n"  # a 3-byte sequence broken by 'X' at offset 5
    for size in range(1, len(data) + 1):
        problem = verdict(data, chunk_size=size)
        assert problem is not None
        assert "at byte offset 3 (line 2, column 1)" in problem.detail, size


@given(
    text=st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
)
def test_any_chunking_of_valid_utf8_gives_the_same_verdict(text: str, cuts: list[int]) -> None:
    data = ("x" + text).encode()
    assert scan(split_at(data, cuts)).problem is None


@given(
    data=st.binary(max_size=200),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=12),
)
def test_the_verdict_does_not_depend_on_chunk_boundaries(data: bytes, cuts: list[int]) -> None:
    split, whole = scan(split_at(data, cuts)), scan([data])
    assert (split.problem, split.sha256) == (whole.problem, whole.sha256)


def test_scan_hashes_and_measures_the_whole_file() -> None:
    data = b"1,start,2024-01-03T06:00:00Z,0001,0001\n" * 1000
    result = scan(chunked(data, 4096))
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_scan_keeps_a_sha256_the_source_already_knows_and_still_checks_every_byte() -> None:
    data = b"1,start,2024-01-03T06:00:00Z,0001,0001\n" * 1000
    known = hashlib.sha256(data).hexdigest()
    result = scan(chunked(data, 4096), sha256=known)
    assert (result.size, result.sha256, result.problem) == (len(data), known, None)
    # the verdict is the scan's own: a known hash does not make bad bytes readable
    bad = scan(chunked(data + b"\xff", 4096), sha256=known)
    assert bad.problem is not None and bad.problem.reason == "not_utf8"


def test_scan_stops_reading_once_the_file_is_known_binary() -> None:
    read: list[int] = []

    def chunks() -> Iterator[bytes]:
        for number in range(1000):
            read.append(number)
            yield b"\x00" * 1024

    result = scan(chunks())
    assert result.problem is not None and result.problem.reason == "binary"
    assert result.sha256 is None
    assert len(read) == 1


@given(
    text=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=4),
    rest=st.binary(max_size=50),
    big_endian=st.booleans(),
    cuts=st.lists(st.integers(min_value=0, max_value=100), max_size=12),
)
def test_utf16_without_a_bom_is_told_from_binary_whatever_the_chunks(
    text: str, rest: bytes, big_endian: bool, cuts: list[int]
) -> None:
    data = text.encode("utf-16-be" if big_endian else "utf-16-le") + rest
    problem = scan(split_at(data, cuts)).problem
    assert problem is not None and problem.reason == "not_utf8"
    assert f"({'big' if big_endian else 'little'}-endian)" in problem.detail
