"""The client's booking mails: confirmation, reschedule, cancellation, payment receipt, reminder.

Each is queued in the outbox inside the transaction that makes the change (the booking services
call these just before their commit), so a message exists exactly when its change does and the
outbox sends it once after the commit. It is queued unwritten, with the facts that may change
before it is sent (the link to My bookings, the calendar event's sequence and status, a
reschedule's previous time, a receipt's amounts): the sender writes it (`write`) before its
first attempt, so the wording, the HTML and the calendar file are no part of a booking's time
(issue 9: they were a sixth of it). Wording comes from the studio's mail templates
(core.services.mail.templates); times are in the location's timezone with the zone named.
Confirmation, reschedule and cancellation carry the booking's calendar event (.ics).

The web layer passes a BookingMailer: the From address, the link to My bookings and the HTML
look, so core stays free of Flask. Without one (None) no client mail is queued.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from babel.units import format_unit
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from core.models import (
    Booking,
    BookingStatus,
    Invoice,
    OutboxMessage,
    Payment,
    TimeSlot,
)
from core.money import format_money
from core.services import calendar_file, invoicing, studio_rows
from core.services.calendar_file import Method
from core.services.mail import (
    Attachment,
    MailContent,
    Unwritable,
    Written,
    queue_unwritten,
)
from core.services.mail import templates as wording
from core.services.preferences import online_preferences


@dataclass(frozen=True)
class BookingMailer:
    """What the web layer supplies for the client's booking mails."""

    organizer: str  # the From address, 'Studio <bookings@studio.example>' (ORGANIZER in .ics)
    manage_link: str = ""  # the client's My bookings page
    html: Callable[[str, str], str] = lambda subject, text: ""  # (subject, text) -> HTML body
    domain: str = "studiobook.invalid"  # for Message-IDs
    base_url: str = ""  # where the app answers, for the links the sender writes later


# The kinds queued here (written by `write`), and the calendar method the ones with an event use.
KINDS = (
    "booking_confirmation",
    "booking_rescheduled",
    "booking_cancelled",
    "payment_receipt",
    "booking_reminder",
)
_METHODS = {
    "booking_confirmation": Method.REQUEST,
    "booking_rescheduled": Method.REQUEST,
    "booking_cancelled": Method.CANCEL,
}
# A booking as a mail tells of it: when and where, what, and for whom.
_LOADS = (
    joinedload(Booking.slot).joinedload(TimeSlot.location),
    joinedload(Booking.slot).joinedload(TimeSlot.resource),
    joinedload(Booking.service_type),
    joinedload(Booking.client),
)


@dataclass(frozen=True)
class _Studio:
    name: str
    locale: str
    currency: str


def _studio(session: Session) -> _Studio:
    row = studio_rows.studio(session)
    if row is None:
        return _Studio("studiobook", "en_US", "USD")
    return _Studio(row.name, row.locale, row.currency)


def local_date(instant: datetime, timezone: str, locale: str) -> str:
    """'Tuesday, December 1, 2026': the day at the location."""
    return format_date(instant.astimezone(ZoneInfo(timezone)).date(), "full", locale=locale)


def local_time(instant: datetime, timezone: str, locale: str) -> str:
    """'10:00 AM EST': the time at the location, with the zone as it is at that moment (the
    abbreviation where the locale has one, else its full name: 'Central European Standard Time')."""
    local = instant.astimezone(ZoneInfo(timezone))
    zone = get_timezone_name(local, "short", locale=locale)
    if not any(c.isalpha() for c in zone) or zone.startswith("GMT+"):
        zone = get_timezone_name(local, "long", locale=locale)
    return f"{format_time(local, 'short', locale=locale)} {zone}"


def timezone_name(timezone: str, locale: str) -> str:
    """'Eastern Time (New York)': the generic zone name and its city."""
    zone = ZoneInfo(timezone)
    city = zone.key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{get_timezone_name(zone, 'long', locale=locale)} ({city})"


def values_for(booking: Booking, studio: _Studio, mailer: BookingMailer) -> dict[str, object]:
    """The booking placeholders (templates._BOOKING) for this booking."""
    slot, tz = booking.slot, booking.slot.location.timezone
    location, address = calendar_file.where(booking)
    minutes = booking.service_type.duration_minutes
    return {
        "client_name": booking.client.name,
        "studio_name": studio.name,
        "service_type": booking.service_type.public_name,
        "date": local_date(slot.start_at, tz, studio.locale),
        "time": local_time(slot.start_at, tz, studio.locale),
        "timezone": timezone_name(tz, studio.locale),
        "duration": format_unit(minutes, "duration-minute", length="long", locale=studio.locale),
        "location": location,
        "address": address,
        "reference": booking.public_id,
        "manage_link": mailer.manage_link,
    }


def calendar_event(
    booking: Booking, *, studio_name: str, manage_link: str = ""
) -> calendar_file.CalendarEvent:
    """The booking's event as mails, the download and the 'add to' links describe it."""
    description = f"Booked with {studio_name}. Reference {booking.public_id}."
    if manage_link:
        description += f"\nReschedule or cancel: {manage_link}"
    return calendar_file.event_for(booking, studio_name=studio_name, description=description)


def _calendar(
    event: calendar_file.CalendarEvent,
    booking: Booking,
    mailer: BookingMailer,
    method: Method,
    now: datetime,
) -> Attachment:
    data = calendar_file.ics(
        event,
        method=method,
        organizer=mailer.organizer,
        now=now,
        attendee=(booking.client.name, booking.client.email),
    )
    return Attachment("booking.ics", f"text/calendar; method={method.value}", data)


def _queue(
    session: Session,
    booking: Booking,
    kind: str,
    mailer: BookingMailer,
    now: datetime,
    *,
    extra: Mapping[str, str] | None = None,
) -> None:
    """Queue `kind` for the booking's client, unwritten: `write` writes it, as the booking is
    then but with what is kept here as it is now."""
    queue_unwritten(
        session,
        kind=kind,
        to=booking.client.email,
        facts={
            "manage_link": mailer.manage_link,
            "base_url": mailer.base_url,
            "sequence": booking.calendar_sequence,
            "cancelled": booking.status is not BookingStatus.BOOKED,
            "extra": dict(extra or {}),
        },
        now=now,
        domain=mailer.domain,
        client_id=booking.client_id,
        booking_id=booking.id,
    )


def write(session: Session, row: OutboxMessage, mailer: BookingMailer) -> Written:
    """A booking mail `_queue` queued, written: the studio's wording and look as they are now,
    the booking's details, and the calendar event as it was when the mail was queued (a
    confirmation written after a cancellation still adds the event). Raises Unwritable when the
    booking is gone."""
    booking = session.get(Booking, row.booking_id, options=_LOADS) if row.booking_id else None
    if booking is None:
        raise Unwritable("its booking no longer exists.")
    facts = row.facts or {}
    mailer = replace(mailer, manage_link=str(facts.get("manage_link", mailer.manage_link)))
    studio = _studio(session)
    extra = facts.get("extra")
    values = {**values_for(booking, studio, mailer), **(extra if isinstance(extra, dict) else {})}
    subject, text = wording.render(session, row.kind, values)
    attachment = None
    if (method := _METHODS.get(row.kind)) is not None:
        event = calendar_event(booking, studio_name=studio.name, manage_link=mailer.manage_link)
        sequence, cancelled = facts.get("sequence"), facts.get("cancelled")
        event = replace(
            event,
            sequence=sequence if isinstance(sequence, int) else event.sequence,
            cancelled=cancelled if isinstance(cancelled, bool) else event.cancelled,
        )
        attachment = _calendar(event, booking, mailer, method, row.created_at)
    return Written(MailContent(subject, text, mailer.html(subject, text)), attachment)


def booked(
    session: Session, booking: Booking, *, now: datetime, mailer: BookingMailer | None
) -> None:
    """Queue the confirmation with its calendar invitation (not committed here)."""
    if mailer is not None:
        session.flush()  # the booking's id
        _queue(session, booking, "booking_confirmation", mailer, now)


def rescheduled(
    session: Session, new: Booking, *, now: datetime, mailer: BookingMailer | None
) -> None:
    """Queue the 'moved' mail for `new` (the booking a reschedule made): the same calendar
    event, updated (not committed here)."""
    if mailer is None:
        return
    session.flush()
    old = session.get_one(Booking, new.rescheduled_from_id)
    studio = _studio(session)
    tz = old.slot.location.timezone
    previous = {
        "previous_date": local_date(old.slot.start_at, tz, studio.locale),
        "previous_time": local_time(old.slot.start_at, tz, studio.locale),
    }
    _queue(session, new, "booking_rescheduled", mailer, now, extra=previous)


def cancelled(
    session: Session, booking: Booking, *, now: datetime, mailer: BookingMailer | None
) -> None:
    """Queue the cancellation with the calendar file that removes the event (not committed)."""
    if mailer is not None:
        _queue(session, booking, "booking_cancelled", mailer, now)


def paid(
    session: Session, payment: Payment, *, now: datetime, mailer: BookingMailer | None
) -> None:
    """Queue the receipt for an online payment that booked (not committed here)."""
    if mailer is None or payment.booking is None:
        return
    session.flush()
    studio = _studio(session)

    def money(amount: int) -> str:
        return format_money(amount, payment.currency, studio.locale)

    method = payment.method
    if payment.last4:
        method = f"{(payment.card_brand or 'Card').title()} ending {payment.last4}"
    invoice = session.scalar(select(Invoice).where(Invoice.id == payment.invoice_id))
    if invoice is not None:
        session.refresh(invoice, ["payments", "lines", "deposit_applications"])
        number, balance = invoice.number, money(invoicing.summarize(invoice).balance)
    else:  # a deposit, kept on the client's account until the studio applies it
        number, balance = "your deposit", "settled at the studio"
    extra = {
        "amount": money(payment.amount),
        "method": method,
        "invoice_number": number,
        "balance": balance,
    }
    _queue(session, payment.booking, "payment_receipt", mailer, now, extra=extra)


def send_reminders(session: Session, *, now: datetime, mailer: BookingMailer) -> int:
    """Queue a reminder for each live booking starting within the studio's reminder hours that
    has had none, and commit each; returns how many were queued. A booking is marked by a
    conditional UPDATE first, so two runs, or two hosts, never remind twice. Bookings made (or
    moved) inside the window get none: their confirmation came just now. No reminder hours set:
    nothing."""
    hours = online_preferences(session).reminder_hours
    if not hours:
        return 0
    lead = timedelta(hours=hours)
    due = session.scalars(
        select(Booking)
        .join(Booking.slot)
        .options(joinedload(Booking.slot).joinedload(TimeSlot.location))
        .where(
            Booking.status == BookingStatus.BOOKED,
            Booking.reminder_sent_at.is_(None),
            TimeSlot.start_at > now,
            TimeSlot.start_at <= now + lead,
        )
        .order_by(TimeSlot.start_at, Booking.id)
    ).all()
    queued = 0
    for booking in due:
        if booking.created_at > booking.slot.start_at - lead:
            continue
        won = session.execute(
            update(Booking)
            .where(
                Booking.id == booking.id,
                Booking.status == BookingStatus.BOOKED,
                Booking.reminder_sent_at.is_(None),
            )
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()  # another run took it, or it was just cancelled
            continue
        _queue(session, booking, "booking_reminder", mailer, now)
        session.commit()
        queued += 1
    return queued
