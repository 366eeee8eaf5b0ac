"""Where sources are read and zones are written: a local folder or S3.

A `Source` is one file to land; a `Storage` is a zone root (`$COLA_HOME` or a bucket) that
can hold JSON documents and byte-exact copies of a source. Keys are the same in both.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import closing, suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, TypeVar

from botocore.exceptions import ClientError

from ingestion_lambda.landing import (
    SourceInfo,
    SourceNotFoundError,
    clean_etag,
    from_iso_utc,
    is_real_version,
    local_identity,
    s3_filename,
    s3_identity,
)

CHUNK_BYTES = 1024 * 1024
COPY_OBJECT_MAX_BYTES = 5 * 1024**3  # CopyObject's limit; multipart copy above it
COPY_PART_MIN_BYTES = 512 * 1024**2
MAX_PARTS = 10_000
_NOT_FOUND_CODES = {"404", "NoSuchKey", "NoSuchVersion", "NotFound"}
_DENIED_CODES = {"403", "AccessDenied", "Forbidden"}

SourceT_contra = TypeVar("SourceT_contra", contravariant=True)


class Source(Protocol):
    def describe(self) -> SourceInfo:
        """Identity, size and location; raises SourceNotFoundError if it does not exist."""
        ...

    def chunks(self) -> Iterator[bytes]:
        """The content, in order, in chunks of bounded size."""
        ...


class Storage(Protocol[SourceT_contra]):
    def get_json(self, key: str) -> dict[str, Any] | None:
        """The JSON document at `key`, or None if there is none."""
        ...

    def put_json(self, key: str, document: Mapping[str, Any]) -> None: ...

    def exists(self, key: str) -> bool:
        """Whether an object (a copy or a document) is at `key`."""
        ...

    def put_copy(self, source: SourceT_contra, key: str, metadata: Mapping[str, str]) -> None:
        """Write a byte-exact copy of `source` at `key` (atomically replacing any object)."""
        ...


# --- local ----------------------------------------------------------------------------------


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            yield chunk


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    for chunk in _read_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class LocalFile:
    """A file on disk. Identity: resolved absolute path + `#` + sha256 of the content."""

    path: Path

    @cached_property
    def _info(self) -> SourceInfo:
        resolved = self.path.resolve()
        if not resolved.is_file():
            raise SourceNotFoundError(2, "no such file to land", str(self.path))
        sha256 = _sha256_file(resolved)
        return SourceInfo(
            identity=local_identity(str(resolved), sha256),
            display=str(resolved),
            filename=resolved.name,
            size=resolved.stat().st_size,
            location={"path": str(resolved)},
            sha256=sha256,
        )

    def describe(self) -> SourceInfo:
        return self._info

    def chunks(self) -> Iterator[bytes]:
        return _read_chunks(self.path.resolve())


@dataclass(frozen=True)
class LocalStorage:
    """Zones under a home folder: `<home>/raw/...`, `<home>/quarantine/...`."""

    home: Path

    def _path(self, key: str) -> Path:
        return self.home.joinpath(*key.split("/"))

    def get_json(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return dict(json.loads(text))
        except ValueError as error:
            raise ValueError(f"{path}: not a JSON document: {error}") from error

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def put_json(self, key: str, document: Mapping[str, Any]) -> None:
        data = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
        self._write_atomically(self._path(key), iter([data]))

    def put_copy(self, source: LocalFile, key: str, metadata: Mapping[str, str]) -> None:
        # Local files carry no user metadata: the manifest holds the same facts. The copy's
        # modification time, which dbt reads as its landing time, is the landing time the
        # manifest records (when the landing began, not when this write ended), so files
        # landed together keep the order their landings began in.
        self._write_atomically(
            self._path(key), source.chunks(), modified_at=metadata.get("landed-at")
        )

    @staticmethod
    def _write_atomically(
        path: Path, chunks: Iterator[bytes], modified_at: str | None = None
    ) -> None:
        """Write to a hidden temp file in the same folder, then os.replace. `modified_at`
        (`2024-01-03T10:00:00.123456Z`) sets the file's modification time."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as file:
                for chunk in chunks:
                    file.write(chunk)
                file.flush()
                if modified_at is not None:
                    seconds = from_iso_utc(modified_at).timestamp()
                    os.utime(file.fileno(), (seconds, seconds))
                os.fsync(file.fileno())
            os.chmod(temp_name, 0o644)
            os.replace(temp_name, path)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise


# --- S3 -------------------------------------------------------------------------------------


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@dataclass
class S3Object:
    """An object in the landing bucket. Identity: `s3://b/k?versionId=…`, else `#etag`.

    `version_id` comes from the notification when the bucket is versioned; otherwise the
    object is pinned by the ETag seen by HeadObject, so a later overwrite is not mixed in."""

    client: Any
    bucket: str
    key: str
    version_id: str | None = None
    chunk_bytes: int = CHUNK_BYTES
    _head: dict[str, Any] | None = field(default=None, init=False, repr=False)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def head(self) -> dict[str, Any]:
        if self._head is None:
            try:
                self._head = self.client.head_object(**self._address())
            except ClientError as error:
                code = _error_code(error)
                version = f" version {self.version_id}" if self.version_id else ""
                if code in _NOT_FOUND_CODES:
                    raise SourceNotFoundError(
                        2, f"source object not found{version}", self.uri
                    ) from error
                if code in _DENIED_CODES:
                    raise PermissionError(
                        f"{self.uri}{version}: HeadObject denied ({code}): the object is missing "
                        "or s3:GetObject is not granted (grant s3:ListBucket to get a 404 "
                        "for a missing object)"
                    ) from error
                raise
        return self._head

    @property
    def pinned_version(self) -> str | None:
        version = self.version_id or self.head().get("VersionId")
        return version if is_real_version(version) else None

    @property
    def etag(self) -> str:
        return clean_etag(self.head().get("ETag"))

    def describe(self) -> SourceInfo:
        head = self.head()
        return SourceInfo(
            identity=s3_identity(self.bucket, self.key, self.pinned_version, self.etag),
            display=self.uri,
            filename=s3_filename(self.key),
            size=int(head["ContentLength"]),
            location={
                "bucket": self.bucket,
                "key": self.key,
                "version_id": self.pinned_version,
                "etag": self.etag,
            },
        )

    def chunks(self) -> Iterator[bytes]:
        response = self.client.get_object(**self._pinned())
        with closing(response["Body"]) as body:
            yield from body.iter_chunks(self.chunk_bytes)

    def copy_source(self) -> dict[str, str]:
        source = {"Bucket": self.bucket, "Key": self.key}
        if self.pinned_version:
            source["VersionId"] = self.pinned_version
        return source

    def copy_conditions(self) -> dict[str, str]:
        return {} if self.pinned_version else {"CopySourceIfMatch": f'"{self.etag}"'}

    def _address(self) -> dict[str, str]:
        address = {"Bucket": self.bucket, "Key": self.key}
        if self.version_id:
            address["VersionId"] = self.version_id
        return address

    def _pinned(self) -> dict[str, str]:
        if self.pinned_version:
            return {"Bucket": self.bucket, "Key": self.key, "VersionId": self.pinned_version}
        return {"Bucket": self.bucket, "Key": self.key, "IfMatch": f'"{self.etag}"'}


@dataclass(frozen=True)
class S3Storage:
    """Zones in a bucket. Copies are server-side: the bytes never pass through this process."""

    client: Any
    bucket: str
    copy_object_max_bytes: int = COPY_OBJECT_MAX_BYTES
    copy_part_min_bytes: int = COPY_PART_MIN_BYTES

    def exists(self, key: str) -> bool:
        # LIST, not HEAD or GET: without an unconditioned s3:ListBucket, reading a missing key is
        # a 403 (not a 404), indistinguishable from a real denial. ListObjectsV2 with the key as
        # prefix needs only s3:ListBucket on that prefix; the key itself sorts first.
        listing = self.client.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
        return any(item["Key"] == key for item in listing.get("Contents", []))

    def get_json(self, key: str) -> dict[str, Any] | None:
        if not self.exists(key):
            return None
        response = self.client.get_object(Bucket=self.bucket, Key=key)
        with closing(response["Body"]) as body:
            data = body.read()
        try:
            return dict(json.loads(data))
        except ValueError as error:
            raise ValueError(f"s3://{self.bucket}/{key}: not a JSON document: {error}") from error

    def put_json(self, key: str, document: Mapping[str, Any]) -> None:
        body = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType="application/json"
        )

    def put_copy(self, source: S3Object, key: str, metadata: Mapping[str, str]) -> None:
        size = int(source.head()["ContentLength"])
        content_type = source.head().get("ContentType") or "binary/octet-stream"
        if size <= self.copy_object_max_bytes:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=key,
                CopySource=source.copy_source(),
                MetadataDirective="REPLACE",
                Metadata=dict(metadata),
                TaggingDirective="REPLACE",  # no tags: no s3:Get/PutObjectTagging needed
                ContentType=content_type,
                **source.copy_conditions(),
            )
        else:
            self._multipart_copy(source, key, size, metadata, content_type)

    def _multipart_copy(
        self,
        source: S3Object,
        key: str,
        size: int,
        metadata: Mapping[str, str],
        content_type: str,
    ) -> None:
        part_bytes = max(self.copy_part_min_bytes, math.ceil(size / MAX_PARTS))
        upload = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, Metadata=dict(metadata), ContentType=content_type
        )
        upload_id = upload["UploadId"]
        try:
            parts = []
            for number, start in enumerate(range(0, size, part_bytes), start=1):
                end = min(start + part_bytes, size) - 1
                part = self.client.upload_part_copy(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    CopySource=source.copy_source(),
                    CopySourceRange=f"bytes={start}-{end}",
                    **source.copy_conditions(),
                )
                parts.append({"PartNumber": number, "ETag": part["CopyPartResult"]["ETag"]})
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            with suppress(ClientError):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
