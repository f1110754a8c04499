"""The booking's calendar file, read back with icalendar: confirm → reschedule → cancel is one
event (one UID) whose SEQUENCE rises, with the method and status each step needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

from core.services.booking import cancel
from core.services.booking_mail import calendar_event
from core.services.calendar_file import google_link, outlook_link
from core.services.rescheduling import reschedule
from tests.booking_mail import MAILER, START, book_at, outbox, parse_calendar, studio_setup
from tests.conftest import NOW


def test_confirm_reschedule_cancel_is_one_event_with_a_rising_sequence(
    session: Session, make: Any
) -> None:
    room, service_type, client = studio_setup(make)
    booking = book_at(session, make, room, service_type, client)
    later = make.slot(START + timedelta(days=1), service_types=[service_type], resource=room)
    moved = reschedule(
        session, public_id=booking.public_id, new_slot_id=later.id, now=NOW, mailer=MAILER
    )
    cancel(session, public_id=moved.public_id, now=NOW + timedelta(hours=1), mailer=MAILER)

    mails = outbox(session)
    assert [m.kind for m in mails] == [
        "booking_confirmation",
        "booking_rescheduled",
        "booking_cancelled",
    ]
    parsed = [parse_calendar(m.attachment) for m in mails]  # type: ignore[arg-type]
    assert {str(event["UID"]) for _, event in parsed} == {booking.calendar_uid}
    assert [int(event["SEQUENCE"]) for _, event in parsed] == [0, 1, 2]
    assert [str(calendar["METHOD"]) for calendar, _ in parsed] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [str(event["STATUS"]) for _, event in parsed] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert [event.decoded("DTSTART") for _, event in parsed] == [
        START,
        START + timedelta(days=1),
        START + timedelta(days=1),
    ]
    assert [m.attachment_type for m in mails] == [
        "text/calendar; method=REQUEST",
        "text/calendar; method=REQUEST",
        "text/calendar; method=CANCEL",
    ]


def test_the_event_carries_what_a_calendar_app_needs(session: Session, make: Any) -> None:
    booking = book_at(session, make, *studio_setup(make))

    [mail] = outbox(session)
    calendar, event = parse_calendar(mail.attachment)  # type: ignore[arg-type]
    assert str(calendar["PRODID"]) == "-//studiobook//Booking calendar//EN"
    assert str(calendar["VERSION"]) == "2.0"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start, end) == (START, START + timedelta(minutes=60))
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)  # written in UTC
    assert b"DTSTART:20261125T150000Z" in mail.attachment  # type: ignore[operator]
    assert event.decoded("DTSTAMP") == NOW
    assert str(event["SUMMARY"]) == "Family Portrait Session – Light & Co Studio"
    assert str(event["LOCATION"]) == "Light & Co Downtown, 12 Harbor St, Springfield"
    assert booking.public_id in str(event["DESCRIPTION"])
    assert "https://book.lightco.example/account/bookings" in str(event["DESCRIPTION"])
    organizer = event["ORGANIZER"]
    assert (str(organizer), str(organizer.params["CN"])) == (
        "mailto:bookings@lightco.example",
        "Light & Co Studio",
    )
    assert str(event["ATTENDEE"]) == "mailto:ada@example.com"


def test_google_and_outlook_links_fill_in_the_event_in_utc(session: Session, make: Any) -> None:
    booking = book_at(session, make, *studio_setup(make))
    event = calendar_event(booking, studio_name="Light & Co Studio")

    google = urlsplit(google_link(event))
    query = parse_qs(google.query)
    assert (google.netloc, google.path) == ("calendar.google.com", "/calendar/render")
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == ["Family Portrait Session – Light & Co Studio"]
    assert query["dates"] == ["20261125T150000Z/20261125T160000Z"]
    assert query["location"] == ["Light & Co Downtown, 12 Harbor St, Springfield"]

    outlook = urlsplit(outlook_link(event))
    query = parse_qs(outlook.query)
    assert outlook.netloc == "outlook.live.com"
    assert outlook.path == "/calendar/0/deeplink/compose"
    assert query["subject"] == ["Family Portrait Session – Light & Co Studio"]
    assert query["startdt"] == ["2026-11-25T15:00:00Z"]
    assert query["enddt"] == ["2026-11-25T16:00:00Z"]
    assert datetime.fromisoformat(query["startdt"][0]) == START.astimezone(UTC)
