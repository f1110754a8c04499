"""Staff keep the lists of client statuses, lead sources, booking reasons, and session and
appointment statuses; lead sources and booking reasons may be shown to clients online."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import ListKind
from core.services import settings
from tests.conftest import WebClient
from tests.web.helpers import text_of

CLIENTS, BOOKINGS = "/admin/settings/clients", "/admin/settings/bookings"
ENTRY = "/admin/settings/lists/entries"


def names(db_session: Any, kind: ListKind) -> list[str]:
    db_session.expire_all()
    return [c.name for c in settings.list_choices(db_session, kind)]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", CLIENTS),
        ("get", BOOKINGS),
        ("post", f"{CLIENTS}/lead-sources"),
        ("post", f"{ENTRY}/1/rename"),
        ("post", f"{ENTRY}/1/retire"),
        ("post", f"{ENTRY}/1/show-online"),
        ("post", f"{ENTRY}/1/move"),
    ],
)
def test_anonymous_visitors_are_sent_to_the_staff_login(
    web: WebClient, method: str, url: str
) -> None:
    response = getattr(web, method)(url)

    assert response.status_code == 303
    assert response.location.startswith("/admin/login?next=")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (CLIENTS, ["Client statuses", "Prospect", "Lead sources", "Returning client"]),
        (
            BOOKINGS,
            [
                "Booking reasons",
                "Holiday cards",
                "Session statuses",
                "Session cancelled – online",
                "Appointment statuses",
                "Appointment booked – online",
            ],
        ),
    ],
)
def test_the_pages_show_their_lists_with_the_defaults(
    staff_web: WebClient, db_session: Any, url: str, expected: list[str]
) -> None:
    settings.ensure_default_lists(db_session)
    db_session.commit()

    page = text_of(staff_web.get(url))

    for text in expected:
        assert text in page


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (f"{CLIENTS}/client-statuses", ListKind.CLIENT_STATUS),
        (f"{CLIENTS}/lead-sources", ListKind.LEAD_SOURCE),
        (f"{BOOKINGS}/booking-reasons", ListKind.BOOKING_REASON),
        (f"{BOOKINGS}/session-statuses", ListKind.SESSION_STATUS),
        (f"{BOOKINGS}/appointment-statuses", ListKind.APPOINTMENT_STATUS),
    ],
)
def test_staff_add_an_entry_to_each_list(
    staff_web: WebClient, db_session: Any, url: str, kind: ListKind
) -> None:
    slug = url.rsplit("/", 1)[1]

    response = staff_web.post(url, {f"{slug}-name": "  New   entry "})

    assert response.status_code == 303
    assert response.location.endswith(f"#{slug}")
    assert names(db_session, kind) == ["New entry"]


def test_a_duplicate_name_is_a_conflict_next_to_the_field(
    staff_web: WebClient, db_session: Any
) -> None:
    settings.add_choice(db_session, ListKind.LEAD_SOURCE, "Google")

    response = staff_web.post(f"{CLIENTS}/lead-sources", {"lead-sources-name": "google"})

    assert response.status_code == 409
    assert "This list already has “Google”." in text_of(response)


def test_a_list_of_another_page_is_not_found(staff_web: WebClient) -> None:
    response = staff_web.post(f"{CLIENTS}/booking-reasons", {"booking-reasons-name": "Gift"})

    assert response.status_code == 404


def test_show_online_flips_what_the_page_says(staff_web: WebClient, db_session: Any) -> None:
    reason = settings.add_choice(db_session, ListKind.BOOKING_REASON, "Gift")
    assert "Staff only" in text_of(staff_web.get(BOOKINGS))

    response = staff_web.post(f"{ENTRY}/{reason.id}/show-online")

    assert response.status_code == 303
    db_session.expire_all()
    assert settings.find_choice(db_session, reason.id).show_online is True
    assert "Shown online" in text_of(staff_web.get(BOOKINGS))


@pytest.mark.parametrize(
    "kind", [ListKind.CLIENT_STATUS, ListKind.SESSION_STATUS, ListKind.INVOICE_STATUS]
)
def test_lists_never_shown_online_cannot_be_shown_online(
    staff_web: WebClient, db_session: Any, kind: ListKind
) -> None:
    entry = settings.add_choice(db_session, kind, "Something")

    assert staff_web.post(f"{ENTRY}/{entry.id}/show-online").status_code == 404


def test_rename_retire_and_move(staff_web: WebClient, db_session: Any) -> None:
    first = settings.add_choice(db_session, ListKind.CLIENT_STATUS, "Prospect")
    second = settings.add_choice(db_session, ListKind.CLIENT_STATUS, "Client")

    for action, data in (
        (f"{first.id}/rename", {"name": "Lead"}),
        (f"{second.id}/move", {"direction": "up"}),
        (f"{second.id}/retire", {}),
    ):
        assert staff_web.post(f"{ENTRY}/{action}", data, follow_redirects=True).status_code == 200

    assert names(db_session, ListKind.CLIENT_STATUS) == ["Client", "Lead"]
    assert settings.find_choice(db_session, second.id).active is False


def test_a_blank_rename_keeps_the_typed_value_with_a_message(
    staff_web: WebClient, db_session: Any
) -> None:
    entry = settings.add_choice(db_session, ListKind.SESSION_STATUS, "Booked")

    response = staff_web.post(f"{ENTRY}/{entry.id}/rename", {"name": "   "})

    assert response.status_code == 400
    assert "Enter a name." in text_of(response)


def test_invoice_list_entries_are_edited_on_the_invoices_page_only(
    staff_web: WebClient, db_session: Any
) -> None:
    entry = settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Open")

    assert staff_web.post(f"{ENTRY}/{entry.id}/retire").status_code == 404


@pytest.mark.parametrize("url", ["/admin/settings/invoices", CLIENTS, BOOKINGS])
def test_every_settings_page_links_the_other_tabs(staff_web: WebClient, url: str) -> None:
    html = staff_web.get(url).get_data(as_text=True)

    for href in ("/admin/settings/invoices", CLIENTS, BOOKINGS):
        assert f'href="{href}"' in html
