"""Is a file readable as UTF-8 text CSV? A streaming check over byte chunks, bounded memory.

Rules, strongest first:
- not_utf8 (UTF-16): a UTF-16/32 byte order mark, or no mark but the first 8 bytes are ASCII
  characters each beside a NUL (UTF-16 text without a BOM);
- binary: the file starts with a well-known signature (gzip, zip/xlsx, PNG, PDF, OLE2/xls,
  7z), or holds a NUL byte anywhere;
- not_utf8: invalid UTF-8 anywhere (incl. a truncated sequence at the end);
- empty: zero bytes, or nothing but whitespace and byte order marks.
A UTF-8 BOM, CRLF line ends and a header line are fine. Row-level problems are not checked.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Iterable

from ingestion_lambda.landing import Problem, ScanResult

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip-compressed"),
    (b"PK\x03\x04", "a zip archive (or xlsx)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 document (xls/doc)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
)
_UTF16_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe", "UTF-16/32 little-endian"),
    (b"\xfe\xff", "UTF-16 big-endian"),
)
_HEAD_BYTES = 8
_ASCII_TEXT = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D}


class ReadabilityCheck:
    """Feed chunks in order, then call `finish()`. `decided` turns True once more bytes
    cannot change the verdict (binary or UTF-16 found), so the caller may stop reading.
    A NUL within the first 8 bytes decides only once those 8 are known (UTF-16 or binary)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._offset = 0  # bytes fed so far
        self._newlines = 0  # b"\n" seen so far
        self._line_start = 0  # offset where the current line starts
        self._head = b""
        self._has_text = False
        self._binary: str | None = None
        self._not_utf8: str | None = None
        self._utf16 = False

    @property
    def decided(self) -> bool:
        head_known = len(self._head) == _HEAD_BYTES
        return self._utf16 or (self._binary is not None and head_known)

    def feed(self, chunk: bytes) -> None:
        if self.decided or not chunk:
            return
        if len(self._head) < _HEAD_BYTES:
            self._head += chunk[: _HEAD_BYTES - len(self._head)]
            self._check_head()
            if self.decided:
                return
        if self._binary is not None:  # binary, unless the head (still growing) is UTF-16
            return
        nul = chunk.find(b"\x00")
        if nul >= 0:
            self._binary = f"NUL byte at {self._where(self._offset + nul, chunk)}"
            return
        if self._not_utf8 is None:
            self._decode(chunk)
        self._advance(chunk)

    def finish(self) -> Problem | None:
        if not self.decided and self._not_utf8 is None:
            self._decode(b"", final=True)
        if self._binary is not None:
            return Problem("binary", self._binary)
        if self._not_utf8 is not None:
            return Problem("not_utf8", self._not_utf8)
        if not self._has_text:
            what = "zero bytes" if self._offset == 0 else f"only whitespace in {self._offset} bytes"
            return Problem("empty", f"no data: {what}")
        return None

    def _check_head(self) -> None:
        """Called as the head grows, so the verdict does not depend on chunk boundaries."""
        for signature, kind in _SIGNATURES:
            if self._head.startswith(signature):
                self._binary = f"{kind}: the file starts with the bytes {signature.hex(' ')}"
                return
        for bom, kind in _UTF16_BOMS:
            if self._head.startswith(bom):
                self._utf16_text(f"it starts with a {kind} byte order mark ({bom.hex(' ')})")
                return
        if len(self._head) == _HEAD_BYTES:
            for order, (text, nul) in (("little", (0, 1)), ("big", (1, 0))):
                if set(self._head[nul::2]) == {0} and set(self._head[text::2]) <= _ASCII_TEXT:
                    self._utf16_text(
                        f"no byte order mark, but every second byte of the first 8 is NUL "
                        f"({order}-endian)"
                    )
                    return

    def _utf16_text(self, why: str) -> None:
        self._utf16 = True
        self._binary = None  # a NUL seen in the head is part of the UTF-16 text
        self._not_utf8 = f"UTF-16 text, not UTF-8: {why}; save the file as UTF-8"

    def _decode(self, chunk: bytes, *, final: bool = False) -> None:
        pending = len(self._decoder.getstate()[0])
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            position = self._offset - pending + error.start
            bad = error.object[error.start : error.start + 1].hex()
            self._not_utf8 = (
                f"not UTF-8 at {self._where(position, chunk)}: byte 0x{bad} ({error.reason}); "
                "save the file as UTF-8"
            )
            return
        if not self._has_text and text:
            stripped = text.replace("\ufeff", "")
            self._has_text = bool(stripped) and not stripped.isspace()

    def _where(self, position: int, chunk: bytes) -> str:
        """`byte offset N (line L, column C)`; `chunk` is the one being fed (not yet counted)."""
        index = max(position - self._offset, 0)
        line = self._newlines + chunk.count(b"\n", 0, index) + 1
        newline = chunk.rfind(b"\n", 0, index)
        line_start = self._offset + newline + 1 if newline >= 0 else self._line_start
        return f"byte offset {position} (line {line}, column {position - line_start + 1})"

    def _advance(self, chunk: bytes) -> None:
        count = chunk.count(b"\n")
        if count:
            self._newlines += count
            self._line_start = self._offset + chunk.rfind(b"\n") + 1
        self._offset += len(chunk)


def scan(chunks: Iterable[bytes], sha256: str | None = None) -> ScanResult:
    """Read every chunk once: size, sha256 and the readability verdict. A source that
    already knows its sha256 (a local file, hashed for its identity) passes it, and the
    chunks are not hashed again.

    Stops early (sha256 then None) as soon as the file is known to be binary."""
    check = ReadabilityCheck()
    digest = hashlib.sha256() if sha256 is None else None
    size = 0
    for chunk in chunks:
        check.feed(chunk)
        if digest is not None:
            digest.update(chunk)
        size += len(chunk)
        if check.decided:
            return ScanResult(size=size, sha256=None, problem=check.finish())
    known = digest.hexdigest() if digest is not None else sha256
    return ScanResult(size=size, sha256=known, problem=check.finish())
