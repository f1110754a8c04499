"""Uploaded images: only JPEG or PNG that really decode, within the size limits."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from core.services import files
from core.services.errors import NotFound
from core.services.files import ImageTooLarge, InvalidImage

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#336699").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_a_png_or_jpeg_is_stored_with_its_type_and_dimensions(
    session: Session, fmt: str, content_type: str
) -> None:
    stored = files.store_image(session, image_bytes(fmt, (40, 20)), now=NOW)
    session.commit()

    assert (stored.content_type, stored.width, stored.height) == (content_type, 40, 20)
    assert files.find_file(session, stored.public_id).data == image_bytes(fmt, (40, 20))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        image_bytes("GIF"),
        image_bytes("BMP"),
        image_bytes("PNG")[:60],  # truncated: the header reads, the pixels do not
        image_bytes("JPEG")[:200],
    ],
    ids=["empty", "text", "svg", "gif", "bmp", "truncated-png", "truncated-jpeg"],
)
def test_anything_but_a_whole_jpeg_or_png_is_refused(session: Session, data: bytes) -> None:
    with pytest.raises(InvalidImage):
        files.store_image(session, data, now=NOW)


def test_a_file_over_one_megabyte_is_refused_as_too_large(session: Session) -> None:
    with pytest.raises(ImageTooLarge, match="1 MB"):
        files.store_image(session, b"\x89PNG" + b"0" * files.MAX_BYTES, now=NOW)


def test_an_image_wider_than_the_limit_is_refused(session: Session) -> None:
    with pytest.raises(InvalidImage, match="4001 × 10 pixels"):
        files.store_image(session, image_bytes("PNG", (4001, 10)), now=NOW)


def test_an_unknown_file_id_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        files.find_file(session, "nope")
