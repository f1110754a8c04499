"""Uploaded images: only JPEG or PNG that really decode, within the size limits, re-encoded so
only their pixels are kept."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy.orm import Session

from core.services import files
from core.services.errors import NotFound
from core.services.files import ImageTooLarge, InvalidImage

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


PIXEL = (0x33, 0x66, 0x99)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 20), **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, PIXEL).save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_a_png_or_jpeg_is_stored_with_its_type_and_dimensions(
    session: Session, fmt: str, content_type: str
) -> None:
    stored = files.store_image(session, image_bytes(fmt, (40, 20)), now=NOW)
    session.commit()

    assert (stored.content_type, stored.width, stored.height) == (content_type, 40, 20)
    with Image.open(io.BytesIO(files.find_file(session, stored.public_id).data)) as kept:
        assert (kept.format, kept.size) == (fmt, (40, 20))
        colour = kept.getpixel((5, 5))[:3]
        assert all(abs(a - b) <= 2 for a, b in zip(colour, PIXEL, strict=True))  # JPEG is lossy


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


def _exif(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x8825] = {2: (48.0, 51.0, 30.0)}  # GPSInfo: latitude, where the photo was taken
    exif[0x013B] = "Jo Photographer"  # Artist
    return exif.tobytes()


def test_camera_metadata_is_dropped_and_the_photo_turned_upright(session: Session) -> None:
    # A portrait photo stored sideways with "rotate 90°" in its EXIF, and the place it was taken.
    photo = image_bytes("JPEG", (40, 20), exif=_exif(orientation=6))

    stored = files.store_image(session, photo, now=NOW)

    with Image.open(io.BytesIO(stored.data)) as kept:
        assert dict(kept.getexif()) == {}
        assert b"Jo Photographer" not in stored.data
        assert kept.size == (20, 40) == (stored.width, stored.height)


def test_png_text_chunks_are_dropped(session: Session) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-note")
    stored = files.store_image(session, image_bytes("PNG", pnginfo=info), now=NOW)

    assert b"secret-note" not in stored.data


def test_a_polyglot_keeps_only_its_image(session: Session) -> None:
    # A real PNG with an HTML page appended: a browser sniffing it could run the script.
    html = b"<html><script>alert(document.cookie)</script></html>"

    stored = files.store_image(session, image_bytes("PNG") + html, now=NOW)

    assert b"<script" not in stored.data
    assert stored.data.endswith(b"IEND\xaeB`\x82")


def test_a_transparent_png_stays_transparent(session: Session) -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (255, 0, 0, 0)).save(buffer, format="PNG")

    stored = files.store_image(session, buffer.getvalue(), now=NOW)

    with Image.open(io.BytesIO(stored.data)) as kept:
        assert kept.convert("RGBA").getpixel((3, 3))[3] == 0
