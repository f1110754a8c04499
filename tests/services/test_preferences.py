"""Saving the preference tabs: each writer validates its own tab."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import (
    BookingStyle,
    FieldMode,
    ListChoice,
    ListKind,
    LoginPattern,
    OnlinePreferences,
    ServiceKind,
    StoredFile,
)
from core.services import preferences as prefs
from core.services.settings import InvalidPreference
from tests.services.test_files import NOW, image_bytes


def test_the_first_save_creates_the_row_and_later_saves_update_it(session: Session) -> None:
    prefs.set_active(session, False)
    prefs.set_active(session, True)

    assert session.scalar(select(func.count()).select_from(OnlinePreferences)) == 1
    assert prefs.online_preferences(session).active is True


@pytest.mark.parametrize(
    "url", ["https://studio.example/", "http://studio.example:8080/a?b=c", " https://x.example "]
)
def test_an_absolute_http_url_is_accepted(url: str) -> None:
    assert prefs.clean_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,hi", "//studio.example", "studio.example", "https://"],
)
def test_anything_but_an_absolute_http_url_is_refused(url: str) -> None:
    with pytest.raises(InvalidPreference):
        prefs.clean_url(url)


def test_link_style_without_a_redirect_url_is_refused(session: Session) -> None:
    general = prefs.GeneralSettings(BookingStyle.LINK, "", LoginPattern.EMAIL_AND_PHONE)

    with pytest.raises(InvalidPreference, match="website's address"):
        prefs.update_general(session, general)


@pytest.mark.parametrize(
    ("typed", "stored"), [("#A1B2C3", "#a1b2c3"), ("#000000", "#000000"), ("  ", None)]
)
def test_colours_are_stored_lower_case_and_blank_means_default(
    session: Session, typed: str, stored: str | None
) -> None:
    saved = prefs.update_colours(session, prefs.Colours(accent=typed))

    assert saved.colour_accent == stored


@pytest.mark.parametrize("colour", ["#abc", "abcdef", "#abcdeg", "#abcdef0", "rgb(0,0,0)"])
def test_a_colour_that_is_not_hash_and_six_hex_digits_is_refused(
    session: Session, colour: str
) -> None:
    with pytest.raises(InvalidPreference) as raised:
        prefs.update_colours(session, prefs.Colours(text=colour))

    assert raised.value.field == "text"


@pytest.mark.parametrize("minutes", [-1, prefs.NOTICE_MAX_MINUTES + 1])
def test_a_notice_limit_outside_zero_to_a_year_is_refused(session: Session, minutes: int) -> None:
    settings = prefs.KindSettings(notice_cancel_minutes=minutes)

    with pytest.raises(InvalidPreference):
        prefs.update_kind(session, ServiceKind.APPOINTMENT, settings)


def test_sessions_and_appointments_are_saved_separately(session: Session) -> None:
    prefs.update_kind(session, ServiceKind.SESSION, prefs.KindSettings(notice_book_minutes=60))

    assert prefs.kind_preferences(session, ServiceKind.SESSION).notice_book_minutes == 60
    assert prefs.kind_preferences(session, ServiceKind.APPOINTMENT).notice_book_minutes is None


def test_a_default_status_from_another_list_is_refused(session: Session, make: Any) -> None:
    reason = make._save(ListChoice(kind=ListKind.BOOKING_REASON, name="Birthday"))

    with pytest.raises(InvalidPreference):
        prefs.update_clients(session, prefs.ClientSettings(new_client_status_id=reason.id))


def test_client_field_modes_are_saved(session: Session) -> None:
    settings = prefs.ClientSettings(address_mode=FieldMode.REQUIRED)

    assert prefs.update_clients(session, settings).address_mode is FieldMode.REQUIRED


def test_a_new_logo_replaces_the_old_file(session: Session) -> None:
    prefs.update_logo(session, show_logo=True, upload=image_bytes(), remove=False, now=NOW)
    prefs.update_logo(session, show_logo=True, upload=image_bytes("JPEG"), remove=False, now=NOW)

    assert session.scalar(select(func.count()).select_from(StoredFile)) == 1
    assert prefs.online_preferences(session).logo.content_type == "image/jpeg"  # type: ignore[union-attr]


def test_showing_the_logo_needs_one(session: Session) -> None:
    with pytest.raises(InvalidPreference):
        prefs.update_logo(session, show_logo=True, upload=None, remove=False, now=NOW)
