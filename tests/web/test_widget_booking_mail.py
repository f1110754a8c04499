"""Booking mails from the app: a widget booking's mail reaches a real SMTP server in the studio's
look, the .ics download and calendar links (own bookings only), the reminder command, and the
Reminder hours preference."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Booking, OnlinePreferences, OutboxMessage
from core.services.booking import book, cancel
from tests.conftest import NOW, WebClient
from tests.smtp import SmtpServer
from tests.web.helpers import log_in_client, text_of
from web.extensions import db
from web.mail import send_due

START = NOW + timedelta(days=10)  # Thursday, December 3, 2026, 10:00 AM in New York


@pytest.fixture
def offer(make: Any) -> Any:
    make.studio(name="Light & Co Studio")
    location = make.location(display_name="Light & Co Downtown", address="12 Harbor St")
    service_type = make.service_type(slug="fam", online_name="Family Portrait Session")
    slot = make.slot(START, service_types=[service_type], resource=make.resource(location))
    return service_type, slot


@pytest.fixture
def ada(make: Any) -> Any:
    return make.client(name="Ada Lovelace", email="ada@example.com")


def _book_online(web: WebClient, client: Any, slot: Any) -> Any:
    log_in_client(web, client)
    web.post("/book/fam/hold", {"slot_id": slot.id})
    confirmed = web.post("/book/confirm")
    assert confirmed.status_code == 303
    return confirmed


def test_a_widget_booking_mails_the_client_in_the_studios_look_with_the_calendar_file(
    web: WebClient,
    app: Any,
    offer: Any,
    ada: Any,
    db_session: Session,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "MAIL_URL", smtp_server.url)
    monkeypatch.setitem(app.config, "MAIL_SENDER_THREAD", True)
    _, slot = offer

    _book_online(web, ada, slot)

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ada@example.com"
    assert message["From"] == "Light & Co Studio <bookings@studiobook.invalid>"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Thursday, December 3, 2026 at 10:00\u202fAM EST (60 minutes)" in text
    assert "http://studio.test/account/bookings" in text
    assert "border-top:4px solid #2f5d62" in html  # the accent the widget shows by default
    assert '<a href="http://studio.test/account/bookings"' in html  # links are clickable
    assert "Hello Ada Lovelace,</p>" in html
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "REQUEST"
    event = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    booking = db_session.scalar(select(Booking))
    assert booking is not None and str(event["UID"]) == booking.calendar_uid


def test_the_html_escapes_what_the_client_typed(
    web: WebClient,
    app: Any,
    offer: Any,
    make: Any,
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "MAIL_SENDER_THREAD", False)  # the test sends, below
    client = make.client(name="<b>Eve</b> & Co", email="eve@example.com")
    _book_online(web, client, offer[1])
    with app.app_context():
        assert send_due().kept == 1  # written by the sender (no MAIL_URL: kept)

    mail = db_session.scalar(select(OutboxMessage))
    assert mail is not None
    assert "Hello &lt;b&gt;Eve&lt;/b&gt; &amp; Co," in mail.html_body
    assert "<b>Eve</b>" not in mail.html_body
    assert "Hello <b>Eve</b> & Co," in mail.text_body  # plain text stays as typed


def test_the_booking_queues_its_mail_unwritten_and_the_sender_writes_it_as_it_was(
    web: WebClient,
    app: Any,
    offer: Any,
    ada: Any,
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The confirm only notes what may change (links, the event's sequence and status); the
    sender writes the rest later, so a client who cancels before it runs still gets a
    confirmation that adds the event (and then the cancellation that removes it)."""
    monkeypatch.setitem(app.config, "MAIL_SENDER_THREAD", False)  # the test sends, below
    _book_online(web, ada, offer[1])
    [queued] = db_session.scalars(select(OutboxMessage)).all()
    assert queued.unwritten and (queued.subject, queued.text_body, queued.attachment) == (
        "",
        "",
        None,
    )
    assert queued.facts is not None
    assert queued.facts["manage_link"] == "http://studio.test/account/bookings"
    booking = db_session.scalars(select(Booking)).one()
    cancel(db_session, public_id=booking.public_id, now=NOW)  # commits; no mailer: no mail

    with app.app_context():
        assert send_due().kept == 1  # no MAIL_URL: written and kept
        # Written with the sender's own session only: a transaction left open on the app
        # context's would hold up every change to the tables it read until the thread's next wake.
        assert not db.session().in_transaction()

    db_session.expire_all()
    [confirmation] = db_session.scalars(select(OutboxMessage)).all()
    assert not confirmation.unwritten
    assert (
        confirmation.subject
        == "Your Family Portrait Session on Thursday, December 3, 2026 is booked"
    )
    assert "http://studio.test/account/bookings" in confirmation.text_body
    assert '<a href="http://studio.test/account/bookings"' in confirmation.html_body
    assert confirmation.attachment is not None
    event = icalendar.Calendar.from_ical(confirmation.attachment).walk("VEVENT")[0]
    assert (int(event["SEQUENCE"]), str(event["STATUS"])) == (0, "CONFIRMED")


def test_the_confirmation_page_offers_the_calendar_file_and_links(
    web: WebClient, offer: Any, ada: Any
) -> None:
    confirmed = _book_online(web, ada, offer[1])
    page = web.get(confirmed.location).get_data(as_text=True)

    assert "Add to calendar (.ics)" in page
    google = _href(page, "https://calendar.google.com/")
    assert parse_qs(urlsplit(google).query)["dates"] == ["20261203T150000Z/20261203T160000Z"]
    outlook = _href(page, "https://outlook.live.com/")
    assert parse_qs(urlsplit(outlook).query)["startdt"] == ["2026-12-03T15:00:00Z"]
    for url in (google, outlook):  # a new tab that cannot reach back into the widget
        tag = page[page.rindex("<a", 0, page.index(url.replace("&", "&amp;"))) :]
        tag = tag[: tag.index(">")]
        assert 'target="_blank"' in tag and 'rel="noopener"' in tag


def _href(page: str, prefix: str) -> str:
    start = page.index(f'href="{prefix}') + len('href="')
    return page[start : page.index('"', start)].replace("&amp;", "&")


def test_my_bookings_offers_the_calendar_links_for_each_booking(
    web: WebClient, offer: Any, ada: Any
) -> None:
    _book_online(web, ada, offer[1])

    page = text_of(web.get("/account/bookings"))
    assert "Add to calendar: .ics file for Family Portrait Session · Google" in page


def test_the_calendar_file_downloads_for_the_clients_own_booking(
    web: WebClient, offer: Any, ada: Any, db_session: Session
) -> None:
    _book_online(web, ada, offer[1])
    booking = db_session.scalar(select(Booking))
    assert booking is not None

    response = web.get(f"/bookings/{booking.public_id}/calendar.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == 'attachment; filename="booking.ics"'
    calendar = icalendar.Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (booking.calendar_uid, 0)
    assert event.decoded("DTSTART") == START


def test_another_clients_booking_has_no_calendar_file_for_you(
    web: WebClient, offer: Any, ada: Any, make: Any, db_session: Session
) -> None:
    service_type, slot = offer
    theirs = book(
        db_session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=make.client().id,
        now=NOW,
    )
    log_in_client(web, ada)

    assert web.get(f"/bookings/{theirs.public_id}/calendar.ics").status_code == 404
    assert web.get("/bookings/no-such-booking/calendar.ics").status_code == 404


def test_a_cancelled_booking_has_no_calendar_file(
    web: WebClient, offer: Any, ada: Any, db_session: Session
) -> None:
    _book_online(web, ada, offer[1])
    booking = db_session.scalar(select(Booking))
    assert booking is not None
    cancel(db_session, public_id=booking.public_id, now=NOW)

    response = web.get(f"/bookings/{booking.public_id}/calendar.ics")
    assert response.status_code == 404
    assert "no longer booked" in text_of(response)


def test_the_calendar_file_needs_a_logged_in_client(web: WebClient, offer: Any) -> None:
    response = web.get("/bookings/anything/calendar.ics")
    assert response.status_code in (302, 303) and "/login" in response.location


# --- reminders -------------------------------------------------------------------------------


def test_the_reminder_command_reminds_once_with_links_to_the_site(
    app: Any,
    offer: Any,
    ada: Any,
    db_session: Session,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "SERVER_NAME", None)  # as in production: --base-url says
    service_type, slot = offer
    booking = book(
        db_session, slot_id=slot.id, service_type_id=service_type.id, client_id=ada.id, now=NOW
    )
    clock.travel(days=9, hours=1)  # 23 hours before
    runner = app.test_cli_runner()

    first = runner.invoke(
        args=["mail", "send-reminders", "--base-url", "https://book.lightco.example"]
    )
    second = runner.invoke(args=["mail", "send-reminders"])

    assert first.exit_code == 0 and "Reminders: 1 queued." in first.output
    assert second.exit_code == 0 and "Reminders: 0 queued." in second.output
    db_session.expire_all()
    [reminder] = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "booking_reminder")
    )
    assert reminder.booking_id == booking.id
    assert "https://book.lightco.example/account/bookings" in reminder.text_body


# --- the Reminder hours preference ------------------------------------------------------------


def _general(web: WebClient, hours: str) -> Any:
    data = {"style": "iframe", "redirect_url": "", "login_pattern": "email_phone"}
    return web.post("/admin/preferences/general", {**data, "reminder_hours": hours})


@pytest.mark.parametrize(("typed", "stored"), [("48", 48), ("", None)])
def test_staff_set_the_reminder_hours_or_leave_them_blank_for_none(
    staff_web: WebClient, db_session: Session, typed: str, stored: int | None
) -> None:
    response = _general(staff_web, typed)

    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.scalar(select(OnlinePreferences.reminder_hours)) == stored
    page = staff_web.get("/admin/preferences/general").get_data(as_text=True)
    assert "Reminder, hours before" in page


@pytest.mark.parametrize("typed", ["0", "721", "soon"])
def test_reminder_hours_out_of_range_are_refused_with_a_message(
    staff_web: WebClient, typed: str
) -> None:
    response = _general(staff_web, typed)

    assert response.status_code == 400
    assert "reminder_hours-error" in response.get_data(as_text=True)
