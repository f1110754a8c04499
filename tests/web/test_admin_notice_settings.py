"""Staff notices for bookings in the admin (issue 7): a booking made in the widget shows on the
staff home screen linking to it, with an email copy for who asked; each staff member sets which
notices they get, administrators anyone's."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Booking, NoticeKind, OutboxMessage, StaffNotice, StaffRole
from core.services.notice_settings import Choice, save_settings, settings_for
from tests.conftest import WebClient
from tests.factories import PASSWORD
from tests.web.helpers import at, log_in_client, text_of

ALL_ON = {
    "new_booking-screen": "y",
    "cancellation-screen": "y",
    "failed_payment-screen": "y",
    "slot_job-screen": "y",
}


def log_in_staff(web: WebClient, staff: Any) -> None:
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)


@pytest.fixture
def slot(make: Any) -> Any:
    make.studio(name="Northlight Studio")
    service_type = make.service_type(slug="fam", online_name="Family Portrait Session")
    return make.slot(at(2026, 12, 1, 15), service_types=[service_type])


def book_in_the_widget(app: Any, make: Any, slot: Any) -> None:
    client_web = WebClient(app)
    log_in_client(client_web, make.client(name="Alex Rivera"))
    client_web.post("/book/fam/hold", {"slot_id": slot.id})
    assert client_web.post("/book/confirm").status_code == 303


def test_a_booking_in_the_widget_shows_on_the_home_screen_with_a_link_to_the_bookings(
    web: WebClient, app: Any, make: Any, slot: Any, db_session: Session
) -> None:
    staff = make.staff(email="dana@studio.test")
    save_settings(db_session, staff.id, {NoticeKind.NEW_BOOKING: Choice(True, True)})

    book_in_the_widget(app, make, slot)
    log_in_staff(web, staff)
    response = web.get("/admin/")

    page = text_of(response).replace("\u202f", " ")
    assert "Notices 1 unread" in page
    assert (
        "New online booking: Alex Rivera, Family Portrait Session, Tue Dec 1 10:00 AM EST" in page
    )
    assert 'href="/admin/bookings"' in response.get_data(as_text=True)  # no invoice: the list
    mail = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "staff_notice")
    ).one()
    assert mail.to_address == "dana@studio.test"
    assert mail.subject.startswith("New online booking: Alex Rivera")
    assert "Open it in the admin: http://studio.test/admin/bookings" in mail.text_body
    assert "Northlight Studio" in mail.html_body


def test_a_cancellation_by_staff_tells_staff_and_links_to_the_client(
    web: WebClient, app: Any, make: Any, slot: Any, db_session: Session
) -> None:
    staff = make.staff()
    book_in_the_widget(app, make, slot)
    booking = db_session.scalars(select(Booking)).one()
    log_in_staff(web, staff)
    web.get("/admin/bookings")

    web.post(f"/admin/bookings/{booking.public_id}/cancel")

    cancelled = db_session.scalars(
        select(StaffNotice).where(StaffNotice.kind == NoticeKind.CANCELLATION)
    ).one()
    assert cancelled.staff_id == staff.id
    assert cancelled.body.startswith("Cancelled by staff.")
    assert cancelled.link == f"/admin/clients/{booking.client_id}"


def test_my_settings_start_on_screen_without_email(staff_web: WebClient) -> None:
    response = staff_web.get("/admin/notices/settings")

    html = response.get_data(as_text=True)
    page = text_of(response)
    assert response.status_code == 200
    for label in (
        "New online booking",
        "Cancellation",
        "Failed online payment",
        "Weekly time slot job",
    ):
        assert label in page
    assert html.count('-screen" value="y" checked') == 4
    assert html.count('-email" value="y" checked') == 0


def test_i_turn_a_kind_off_and_ask_for_email_copies(
    web: WebClient, make: Any, db_session: Session
) -> None:
    me = make.staff()
    log_in_staff(web, me)
    web.get("/admin/notices/settings")

    form = {**ALL_ON, "cancellation-email": "y"}
    del form["new_booking-screen"]
    response = web.post("/admin/notices/settings", form)

    assert response.status_code == 303
    assert "Your notice settings are saved." in text_of(web.get(response.location))
    choices = settings_for(db_session, me.id)
    assert choices[NoticeKind.NEW_BOOKING] == Choice(on_screen=False, by_email=False)
    assert choices[NoticeKind.CANCELLATION] == Choice(on_screen=True, by_email=True)
    assert choices[NoticeKind.SLOT_JOB] == Choice()


def test_an_administrator_sets_someone_elses_notices(
    staff_web: WebClient, make: Any, db_session: Session
) -> None:
    sam = make.staff(name="Sam Assistant")
    page = text_of(staff_web.get(f"/admin/staff/{sam.id}"))
    assert "Notice settings" in page
    staff_web.get(f"/admin/staff/{sam.id}/notices")

    response = staff_web.post(f"/admin/staff/{sam.id}/notices", {"failed_payment-email": "y"})

    assert response.status_code == 303
    assert "Sam Assistant’s notice settings are saved." in text_of(staff_web.get(response.location))
    assert settings_for(db_session, sam.id)[NoticeKind.FAILED_PAYMENT] == Choice(False, True)


def test_only_administrators_set_someone_elses_notices(
    web: WebClient, make: Any, db_session: Session
) -> None:
    other = make.staff()
    log_in_staff(web, make.staff(role=StaffRole.STAFF))
    web.get("/admin/notices/settings")

    assert web.get(f"/admin/staff/{other.id}/notices").status_code == 403
    assert web.post(f"/admin/staff/{other.id}/notices", {}).status_code == 403
    assert settings_for(db_session, other.id)[NoticeKind.NEW_BOOKING] == Choice()
