"""Arranging and reading booking mails in tests: a studio in New York, a mailer as the web layer
would make it, the outbox's rows, and a message's calendar file parsed with icalendar."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Booking, OutboxMessage
from core.services import booking_mail
from core.services.booking import book
from core.services.booking_mail import BookingMailer
from core.services.mail import Written, fill_in
from tests.conftest import NOW

FROM = "Light & Co Studio <bookings@lightco.example>"
MY_BOOKINGS = "https://book.lightco.example/account/bookings"
MAILER = BookingMailer(
    organizer=FROM,
    manage_link=MY_BOOKINGS,
    html=lambda subject, text: f"<h1>{subject}</h1><pre>{text}</pre>",
    domain="lightco.example",
)


def write_mail(session: Session, row: OutboxMessage) -> Written:
    """The sender's Writer as the web layer makes it, with MAILER's look and From."""
    return booking_mail.write(session, row, MAILER)


# Wednesday, November 25, 2026, 10:00 AM in New York (15:00 UTC).
START = NOW + timedelta(days=2)


def studio_setup(make: Any, *, timezone: str = "America/New_York", **type_kw: Any) -> Any:
    """The studio, a location in `timezone` with a room, a 60-minute type and a client."""
    make.studio(name="Light & Co Studio")
    location = make.location(
        display_name="Light & Co Downtown", address="12 Harbor St, Springfield", timezone=timezone
    )
    room = make.resource(location=location)
    service_type = make.service_type(online_name="Family Portrait Session", **type_kw)
    client = make.client(name="Ada Lovelace", email="ada@example.com")
    return room, service_type, client


def book_at(
    session: Session, make: Any, room: Any, service_type: Any, client: Any, start: Any = START
) -> Booking:
    slot = make.slot(start, service_types=[service_type], resource=room)
    return book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=client.id,
        now=NOW,
        mailer=MAILER,
    )


def outbox(session: Session, kind: str | None = None) -> list[OutboxMessage]:
    """The outbox's rows, oldest first, booking mails written as the sender writes them (with
    MAILER's look and From). The rows are copies: writing them saves nothing (and locks no row a
    sender may want)."""
    session.expire_all()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        stmt = stmt.where(OutboxMessage.kind == kind)
    rows = list(session.scalars(stmt))
    for row in rows:
        session.expunge(row)
        if row.unwritten:
            fill_in(row, write_mail(session, row))
    return rows


def parse_calendar(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    """The calendar and its one event."""
    calendar = icalendar.Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def calendar_part(message: EmailMessage) -> Any:
    """The message's .ics attachment part."""
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return part
