"""What an upload must pass before it is stored: a safe name, a type its content confirms, and for
images a pixel count a thumbnail can afford (a few kilobytes of PNG can claim billions of pixels).
Each refusal is a ``Refused`` with a message in the user's language."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO

import filetype
from PIL import Image

from crmkit.i18n import gettext as _

HEAD = 8192
MAX_NAME_BYTES = 200
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
EXECUTABLES = {"application/x-msdownload", "application/x-executable", "application/x-mach-binary",
               "application/x-elf", "application/vnd.microsoft.portable-executable", "application/x-sharedlib",
               "application/x-dosexec"}
ZIP_BASED = {"docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk", "zip", "xps", "kmz", "3mf"}
ALIASES = {"jpeg": "jpg", "jpe": "jpg", "tiff": "tif", "htm": "html", "mpeg": "mpg", "oga": "ogg"}
KNOWN_EXTENSIONS = {kind.extension for kind in filetype.types}
Image.MAX_IMAGE_PIXELS = 50_000_000  # Pillow raises DecompressionBombError past twice this


class Refused(ValueError):
    """An upload refused, with the reason for the user; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Checked:
    filename: str
    original_name: str
    content_type: str
    width: int | None = None
    height: int | None = None


def display_name(name: str) -> str:
    """The uploaded name as people read it: control characters dropped, nothing else changed."""
    shown = "".join(c for c in unicodedata.normalize("NFC", name or "") if unicodedata.category(c)[0] != "C")
    shown = shown.strip()
    if len(shown) > 255:  # the column's length; keep the extension
        stem, dot, extension = shown.rpartition(".")
        shown = f"{stem[:254 - len(extension)]}.{extension}" if dot and len(extension) <= 16 else shown[:255]
    return shown or "file"


def safe_name(name: str) -> str:
    """A name safe on every disk and in a header: no folders, control characters, reserved device
    names, leading dots or trailing spaces; at most 200 bytes, keeping the extension."""
    shown = display_name(name)
    shown = re.split(r"[/\\]", shown)[-1] if shown not in ("/", "\\") else ""
    shown = re.sub(r'[<>:"|?*]', "_", shown).strip(" .")
    stem, dot, extension = shown.rpartition(".")
    if not dot:
        stem, extension = shown, ""
    if stem.split(".")[0].strip().lower() in RESERVED:
        stem = f"_{stem}"
    extension = extension[:16]
    while len(f"{stem}.{extension}".encode()) > MAX_NAME_BYTES and stem:
        stem = stem[:-1]
    result = f"{stem}.{extension}" if extension else stem
    return result.strip(" .") or "file"


def extension_of(name: str) -> str:
    _stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot else ""
    return ALIASES.get(extension, extension)


def detected(head: bytes):
    """The type the content shows (filetype's magic numbers), or None for text and unknown formats."""
    return filetype.guess(head) if head else None


def check(name: str, stream: IO[bytes], max_pixels: int) -> Checked:
    """Check an upload by its name and content; the stream is left at its start."""
    filename, original = safe_name(name), display_name(name)
    head = stream.read(HEAD)
    stream.seek(0)
    found, extension = detected(head), extension_of(filename)
    if found is not None and (found.mime in EXECUTABLES or found.extension in ("exe", "elf", "dll")):
        raise Refused(_("“%(name)s” is a program; programs can't be attached.", name=original), 415)
    if found is not None:
        claimed = ALIASES.get(found.extension, found.extension)
        agrees = not extension or claimed == extension or (claimed == "zip" and extension in ZIP_BASED)  # no type named: the content's
        if not agrees:
            raise Refused(_("“%(name)s” is named as %(claimed)s but its content is %(found)s.",
                            name=original, claimed=extension.upper() or _("a file without a type"),
                            found=found.extension.upper()), 415)
        content_type = found.mime
    elif extension in KNOWN_EXTENSIONS and extension not in ("txt", "csv"):
        raise Refused(_("“%(name)s” is named as %(claimed)s but its content is not.",
                        name=original, claimed=extension.upper()), 415)
    else:
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        if content_type.startswith(("text/html", "image/svg", "application/xhtml")):
            content_type = "text/plain" if content_type.startswith("text/") else "application/octet-stream"
    width = height = None
    if content_type.startswith("image/") and found is not None:
        width, height = image_size(stream, original, max_pixels)
    return Checked(filename, original, content_type, width, height)


def image_size(stream: IO[bytes], original: str, max_pixels: int) -> tuple[int | None, int | None]:
    """An image's size in pixels; refused when it claims more than ``max_pixels`` (a decompression
    bomb) or can't be read. Formats Pillow can't read (HEIC, ...) are kept as plain files."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Refused(_("“%(name)s” has too many pixels to be shown.", name=original), 422) from error
    except Image.UnidentifiedImageError:
        return None, None
    except (OSError, ValueError, SyntaxError) as error:
        raise Refused(_("“%(name)s” is a damaged image.", name=original), 422) from error
    finally:
        stream.seek(0)
    if width * height > max_pixels:
        raise Refused(_("“%(name)s” has too many pixels to be shown.", name=original), 422)
    return width, height
