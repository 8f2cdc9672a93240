"""Where file contents live: one small interface, two back ends.

Blobs are content-addressed: a blob's key is the SHA-256 of its bytes, kept under
``ab/cd/<sha256>``, so the same bytes are stored once however many records hold them. A write
goes to a temporary name first (a file in ``tmp/`` of the folder, or a local spool before an S3
PUT, which S3 makes visible whole or not at all), so a crash never leaves half a file under a real
key. Thumbnails are derived blobs under ``thumbs/``, named after the blob they show.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlparse

CHUNK = 1024 * 1024


class TooLarge(ValueError):
    """The data is longer than the limit it was written with."""


@dataclass(frozen=True)
class Written:
    """What ``save`` stored: the blob's key, its length, and whether this write created it."""

    sha256: str
    size: int
    created: bool


@dataclass(frozen=True)
class Stored:
    """A blob (or a temporary leftover) found by ``listing``: its name, and when it was written."""

    name: str
    modified: float
    temporary: bool = False


def blob_path(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def thumb_name(sha256: str, size: int) -> str:
    return f"thumbs/{sha256[:2]}/{sha256}-{size}.jpg"


def chunks(data: bytes | IO[bytes]) -> Iterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
        return
    while True:
        chunk = data.read(CHUNK)
        if not chunk:
            return
        yield chunk


def spool(data: bytes | IO[bytes], target: IO[bytes], limit: int | None) -> tuple[str, int]:
    """Copy ``data`` into ``target`` chunk by chunk, hashing as it goes; ``TooLarge`` past ``limit``."""
    digest, size = hashlib.sha256(), 0
    for chunk in chunks(data):
        size += len(chunk)
        if limit is not None and size > limit:
            raise TooLarge(size)
        digest.update(chunk)
        target.write(chunk)
    target.flush()
    return digest.hexdigest(), size


class Storage(Protocol):
    """What attachments need from a store of blobs."""

    def save(self, data: bytes | IO[bytes], limit: int | None = None) -> Written: ...
    def open(self, name: str) -> IO[bytes]: ...
    def exists(self, name: str) -> bool: ...
    def put_named(self, name: str, data: bytes) -> None: ...
    def delete(self, name: str) -> None: ...
    def listing(self) -> Iterator[Stored]: ...


class FolderStorage:
    """Blobs in a folder (the instance's ``files/`` by default); temporary files in its ``tmp/``."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.tmp = self.root / "tmp"

    def _temporary(self) -> IO[bytes]:
        self.tmp.mkdir(parents=True, exist_ok=True)
        return tempfile.NamedTemporaryFile(dir=self.tmp, prefix="upload-", delete=False)

    def save(self, data: bytes | IO[bytes], limit: int | None = None) -> Written:
        handle = self._temporary()
        try:
            with handle:
                sha256, size = spool(data, handle, limit)
                os.fsync(handle.fileno())
            final = self.root / blob_path(sha256)
            if final.exists():
                os.unlink(handle.name)
                return Written(sha256, size, False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(handle.name, final)  # atomic: the key holds the whole blob or nothing
            return Written(sha256, size, True)
        except BaseException:
            if os.path.exists(handle.name):
                os.unlink(handle.name)
            raise

    def put_named(self, name: str, data: bytes) -> None:
        handle = self._temporary()
        with handle:
            handle.write(data)
        final = self.root / name
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(handle.name, final)

    def open(self, name: str) -> IO[bytes]:
        return open(self.root / self._name(name), "rb")  # noqa: SIM115 - the caller streams and closes it

    def exists(self, name: str) -> bool:
        return (self.root / self._name(name)).is_file()

    def delete(self, name: str) -> None:
        (self.root / self._name(name)).unlink(missing_ok=True)

    def listing(self) -> Iterator[Stored]:
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            if path.is_file():
                relative = path.relative_to(self.root).as_posix()
                yield Stored(relative, path.stat().st_mtime, temporary=relative.startswith("tmp/"))

    @staticmethod
    def _name(name: str) -> str:
        return name if "/" in name else blob_path(name)


class S3Storage:
    """Blobs in an S3-compatible bucket under a prefix; each PUT is whole or absent."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None, spool_dir: str | None = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client
        self.spool_dir = spool_dir

    def _key(self, name: str) -> str:
        return self.prefix + (name if "/" in name else blob_path(name))

    def save(self, data: bytes | IO[bytes], limit: int | None = None) -> Written:
        with tempfile.TemporaryFile(dir=self.spool_dir) as handle:
            sha256, size = spool(data, handle, limit)
            if self.exists(sha256):
                return Written(sha256, size, False)
            handle.seek(0)
            self.client.upload_fileobj(handle, self.bucket, self._key(sha256))
            return Written(sha256, size, True)

    def put_named(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data)

    def open(self, name: str) -> IO[bytes]:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"]
        except self.client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(name) from error

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def listing(self) -> Iterator[Stored]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", ()):
                yield Stored(item["Key"][len(self.prefix):], item["LastModified"].timestamp())


def from_settings(config: Any, instance_path: str) -> Storage:
    """The storage the settings name: FILES_URL ``s3://bucket/prefix`` (with FILES_S3_* settings or
    boto3's own AWS_* variables), a folder path or ``file://`` URL, or the instance's ``files/``."""
    url = config.get("FILES_URL")
    if not url:
        return FolderStorage(os.path.join(instance_path, "files"))
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=config.get("FILES_S3_ENDPOINT_URL") or None,
            region_name=config.get("FILES_S3_REGION") or None,
            aws_access_key_id=config.get("FILES_S3_ACCESS_KEY") or None,
            aws_secret_access_key=config.get("FILES_S3_SECRET_KEY") or None,
        )
        return S3Storage(parsed.netloc, parsed.path, client)
    if parsed.scheme in ("", "file"):
        return FolderStorage(parsed.path if parsed.scheme else url)
    raise ValueError(f"CRMKIT_FILES_URL must be s3://bucket/prefix, file:///path or a folder, not {url!r}")


def remove_tree_leftovers(storage: Storage, older_than: float) -> int:
    """Remove temporary files older than ``older_than`` seconds (a crash's leftovers)."""
    cutoff, removed = time.time() - older_than, 0
    for item in list(storage.listing()):
        if item.temporary and item.modified <= cutoff:
            storage.delete(item.name)
            removed += 1
    return removed


__all__ = ["FolderStorage", "S3Storage", "Storage", "Stored", "TooLarge", "Written", "from_settings"]
