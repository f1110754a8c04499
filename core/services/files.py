"""Uploaded images (the logo, marketing images), validated by decoding them, re-encoded, and kept
in the database as StoredFile rows so every app server can serve them.

Only the pixels are kept: the image is written again by Pillow, so camera metadata (EXIF: place,
device, owner) is dropped, and nothing a crafted file carried besides its image (HTML or script
appended to a PNG, a "polyglot") is ever served back."""

from __future__ import annotations

import io
import warnings
from datetime import datetime

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import StoredFile
from core.services.errors import BookingError, NotFound

MAX_BYTES = 1024 * 1024  # 1 MB: a logo never needs more
MAX_SIDE = 4000  # pixels, either side
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


class InvalidImage(BookingError):
    status_code = 400
    default_message = "Upload a JPEG or PNG image."


class ImageTooLarge(InvalidImage):
    status_code = 413
    default_message = "That image is larger than 1 MB. Please upload a smaller one."


def _readable(size: int) -> str:
    """'1 MB' or '200 KB'."""
    return f"{size // 2**20} MB" if size % 2**20 == 0 else f"{size // 2**10} KB"


def _reencode(image: Image.Image, image_format: str) -> bytes:
    """The image written afresh in its format: turned upright as the camera meant, without
    metadata (the colour profile stays, so colours do not shift)."""
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    if image_format == "JPEG":
        if upright.mode not in ("L", "RGB", "CMYK"):
            upright = upright.convert("RGB")
        options: dict[str, object] = {"quality": 90, "optimize": True}
    else:
        if upright.mode not in ("1", "L", "LA", "RGB", "RGBA") or "transparency" in upright.info:
            upright = upright.convert("RGBA")  # palettes and tRNS colours become plain alpha
        options = {"optimize": True}
    if icc_profile:
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    upright.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _decode(data: bytes) -> tuple[str, bytes, int, int]:
    """(content type, re-encoded bytes, width, height) of a JPEG or PNG that decodes fully.
    Raises InvalidImage."""
    try:
        with warnings.catch_warnings():
            # A decompression bomb must be refused, not just warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in CONTENT_TYPES:
                    raise InvalidImage()
                width, height = image.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise InvalidImage(
                        f"That image is {width} × {height} pixels; keep both sides to "
                        f"{MAX_SIDE} pixels or fewer."
                    )
                image.load()  # decodes every pixel: a truncated or corrupt file fails here
                clean = _reencode(image, image.format)
                with Image.open(io.BytesIO(clean)) as written:
                    width, height = written.size
                return CONTENT_TYPES[image.format], clean, width, height
    except InvalidImage:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise InvalidImage(
            "We could not read that file as a JPEG or PNG image. Please upload another."
        ) from None


def store_image(session: Session, data: bytes, *, now: datetime) -> StoredFile:
    """A new StoredFile holding `data` re-encoded, a JPEG or PNG of at most MAX_BYTES and MAX_SIDE
    pixels a side, with its width and height (upright). Adds and flushes; the caller commits.
    Raises InvalidImage or ImageTooLarge."""
    if not data:
        raise InvalidImage("Choose an image file to upload.")
    if len(data) > MAX_BYTES:
        raise ImageTooLarge(
            f"That image is larger than {_readable(MAX_BYTES)}. Please upload a smaller one."
        )
    content_type, clean, width, height = _decode(data)
    stored = StoredFile(
        content_type=content_type, data=clean, width=width, height=height, created_at=now
    )
    session.add(stored)
    session.flush()
    return stored


def find_file(session: Session, public_id: str) -> StoredFile:
    """The stored file with this public id. Raises NotFound."""
    stored = session.scalar(select(StoredFile).where(StoredFile.public_id == public_id))
    if stored is None:
        raise NotFound("We could not find that file.")
    return stored
