"""Thumbnails of images, made once on first request and kept in storage beside the blob
(``thumbs/ab/<sha256>-<size>.jpg``): the same photo on two records shares its thumbnail."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from crmkit.core.files import storage
from crmkit.core.files.models import Attachment
from crmkit.core.files.service import files_storage, max_pixels

SIZES = (320, 1280)  # the panel's tiles, the viewer's picture


def thumbnail(attachment: Attachment, size: int) -> bytes | None:
    """The JPEG of the image at most ``size`` pixels on its longer side, or None when it can't be
    drawn (not an image Pillow reads, or one with more pixels than allowed)."""
    if size not in SIZES or not attachment.is_image:
        return None
    blobs, name = files_storage(), storage.thumb_name(attachment.sha256, size)
    if blobs.exists(name):
        with blobs.open(name) as cached:
            return cached.read()
    made = draw(blobs, attachment, size)
    if made is not None:
        blobs.put_named(name, made)
    return made


def draw(blobs: storage.Storage, attachment: Attachment, size: int) -> bytes | None:
    if (attachment.width or 0) * (attachment.height or 0) > max_pixels():
        return None
    try:
        with blobs.open(attachment.sha256) as source, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(source.read())) as image:
                if image.size[0] * image.size[1] > max_pixels():
                    return None
                image = ImageOps.exif_transpose(image)
                image.thumbnail((size, size))
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGBA")
                    flat = Image.new("RGB", image.size, "white")
                    flat.paste(image, mask=image.getchannel("A"))
                    image = flat
                out = io.BytesIO()
                image.save(out, "JPEG", quality=85, optimize=True)
                return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
