"""Helpers of the upload tests: a logged-in client's upload, and files that lie about themselves."""

from __future__ import annotations

import io
import struct
import zlib

from crmkit.testing import csrf_token

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def bomb_png(side: int = 30000) -> bytes:
    """A valid 1-bit PNG of side × side pixels: about a hundred kilobytes that unpack to a billion
    pixels (the decompression bomb Pillow's MAX_IMAGE_PIXELS exists for)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor, row, parts = zlib.compressobj(9), b"\x00" * (1 + (side + 7) // 8), []
    for _ in range(side):
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def upload(client, entity_path: str, record_id: int, files: list[tuple[bytes, str]], kind: str = "file", **headers):
    """POST the record page's upload form with ``files`` (bytes, name), as a browser does."""
    token = csrf_token(client, f"/{entity_path}/{record_id}")
    data = {"csrf_token": token, "kind": kind, "files": [(io.BytesIO(content), name) for content, name in files]}
    entity_key = entity_path
    return client.post(f"/files/{entity_key}/{record_id}/upload", data=data, content_type="multipart/form-data",
                       headers=headers)
