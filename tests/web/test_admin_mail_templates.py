"""Mail wording (issue 7): staff with preferences access list the client mails, edit one with
its placeholders, preview unsaved wording on a made-up booking, save it (or are told why not)
and go back to the built-in wording."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import MailTemplate
from core.services.mail import templates
from tests.conftest import NOW, WebClient
from tests.factories import PASSWORD
from tests.web.helpers import text_of

URL = "/admin/mail/wording/booking_confirmation"
GOOD = {
    "subject": "See you on {{ date }}, {{ client_name }}!",
    "body": "Hi {{ client_name }},\n\nYour {{ service_type }} is at {{ time }}.\n\n"
    "Manage it: {{ manage_link }}",
}


@pytest.fixture(autouse=True)
def studio(make: Any) -> None:
    make.studio(name="Northlight Studio")
    make.location(display_name="Northlight Downtown", timezone="America/New_York")


def saved(db_session: Session) -> MailTemplate | None:
    db_session.expire_all()
    return db_session.scalar(
        select(MailTemplate).where(MailTemplate.kind == "booking_confirmation")
    )


def test_the_list_names_every_client_mail_and_whether_it_is_edited(
    staff_web: WebClient, make: Any
) -> None:
    make._save(
        MailTemplate(
            kind="booking_reminder",
            subject="Soon!",
            body="Soon, {{ client_name }}.",
            updated_at=NOW,
        )
    )

    page = text_of(staff_web.get("/admin/mail/wording"))

    for kind in templates.KINDS.values():
        assert kind.label in page and kind.about in page
    assert "Reminder A set number of hours before the appointment (Preferences). Edited" in page
    assert "Booking confirmation The moment a client books, online or by staff. Built-in" in page


def test_the_edit_page_shows_the_wording_in_use_and_its_placeholders(staff_web: WebClient) -> None:
    response = staff_web.get(URL)

    page = text_of(response)
    assert response.status_code == 200
    assert "This is the built-in wording." in page
    assert "Your {{ service_type }} on {{ date }} is booked" in response.get_data(as_text=True)
    assert "{{ manage_link }} The client's My bookings page" in page
    assert "Staff with full access to the online booking preferences can change it." in page
    assert "Back to the built-in wording" not in page


def test_saved_wording_is_used_and_marked_edited(staff_web: WebClient, db_session: Session) -> None:
    response = staff_web.post(URL, GOOD)

    assert response.status_code == 303
    row = saved(db_session)
    assert row is not None and row.subject == GOOD["subject"]
    page = text_of(staff_web.get(response.location))
    assert "The wording of “Booking confirmation” is saved." in page
    assert "You are using your own wording." in page
    assert templates.wording(db_session, "booking_confirmation")[0] == GOOD["subject"]


def test_an_unknown_placeholder_is_refused_next_to_its_field_and_nothing_is_saved(
    staff_web: WebClient, db_session: Session
) -> None:
    response = staff_web.post(URL, {**GOOD, "body": "Hello {{ client_nmae }}"})

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="body-error"' in html and 'aria-invalid="true"' in html
    assert "Unknown placeholder {{ client_nmae }}: use one listed here." in text_of(response)
    assert "Hello {{ client_nmae }}</textarea>" in html  # what they typed stays
    assert saved(db_session) is None


def test_a_broken_subject_is_refused_with_the_line(
    staff_web: WebClient, db_session: Session
) -> None:
    response = staff_web.post(URL, {**GOOD, "subject": "Booked {{ date "})

    assert response.status_code == 400
    assert 'id="subject-error"' in response.get_data(as_text=True)
    assert "Placeholders look like {{ client_name }}." in text_of(response)
    assert saved(db_session) is None


def test_the_preview_fills_in_unsaved_wording_for_a_made_up_booking(
    staff_web: WebClient, db_session: Session
) -> None:
    response = staff_web.post(f"{URL}/preview", GOOD)

    page = text_of(response).replace("\u202f", " ")  # Babel's narrow space, if any
    assert response.status_code == 200
    assert "See you on " in page and ", Alex Rivera!" in page  # the subject, filled in
    assert "Your Family Portrait Session is at 10:00 AM EST." in page
    assert "Manage it: http://studio.test/account/bookings" in page
    assert saved(db_session) is None  # a preview saves nothing
    html = response.get_data(as_text=True)
    assert 'target="mail-preview-frame"' in html and 'name="mail-preview-frame"' in html


def test_the_preview_for_htmx_is_the_editor_alone(staff_web: WebClient) -> None:
    staff_web.get(URL)
    response = staff_web.post(
        f"{URL}/preview", GOOD, headers={"HX-Request": "true", "HX-Target": "mail-editor"}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="mail-editor"') and "<html" not in html


def test_the_html_preview_is_the_studio_look_in_a_locked_down_frame(staff_web: WebClient) -> None:
    staff_web.get(URL)
    response = staff_web.post(f"{URL}/preview/html", GOOD)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Northlight Studio" in html and "<p " in html and "Alex Rivera" in html
    assert '<a href="http://studio.test/account/bookings"' in html
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "script-src" not in policy


def test_a_preview_of_wording_that_cannot_be_used_says_why(staff_web: WebClient) -> None:
    response = staff_web.post(f"{URL}/preview", {**GOOD, "body": "{{ price }}"})

    assert response.status_code == 400
    assert "Unknown placeholder {{ price }}" in text_of(response)
    assert "Preview Your wording as typed" not in text_of(response)


def test_back_to_the_built_in_wording(staff_web: WebClient, db_session: Session) -> None:
    staff_web.post(URL, GOOD)
    staff_web.get(URL)

    response = staff_web.post(f"{URL}/reset")

    assert response.status_code == 303 and saved(db_session) is None
    page = text_of(staff_web.get(response.location))
    assert "“Booking confirmation” uses the built-in wording again." in page
    assert "This is the built-in wording." in page


def test_an_unknown_mail_is_not_found(staff_web: WebClient) -> None:
    assert staff_web.get("/admin/mail/wording/birthday_card").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/mail/wording"),
        ("get", URL),
        ("post", URL),
        ("post", f"{URL}/preview"),
        ("post", f"{URL}/reset"),
    ],
)
def test_staff_without_preferences_access_are_refused(
    web: WebClient, make: Any, db_session: Session, method: str, path: str
) -> None:
    staff = make.staff(can_edit_preferences=False)
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)

    response = getattr(web, method)(path, **({"data": GOOD} if method == "post" else {}))

    assert response.status_code == 403
    assert saved(db_session) is None
    assert "Mail wording" not in text_of(web.get("/admin/mail"))
