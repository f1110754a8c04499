"""A booking as a calendar event: the .ics file (RFC 5545, iTIP methods of RFC 5546) sent with
the booking mails and offered for download, and 'add to' links for Google and Outlook.

One UID follows a booking through its reschedules (Booking.calendar_uid) and SEQUENCE rises
with each change, so a calendar app updates, and finally cancels, the one event it already has.
Times go out in UTC: no VTIMEZONE is needed and no app can misread a zone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlencode

from icalendar import Calendar, Event, vCalAddress, vText

from core.models import Booking, BookingStatus

PRODID = "-//studiobook//Booking calendar//EN"


class Method(enum.Enum):
    PUBLISH = "PUBLISH"  # a file downloaded from a page: no invitation semantics
    REQUEST = "REQUEST"  # the confirmation and reschedule mails: add or update the event
    CANCEL = "CANCEL"  # the cancellation mail: remove the event


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    start: datetime  # aware
    end: datetime
    summary: str
    location: str
    description: str
    cancelled: bool = False


def where(booking: Booking) -> tuple[str, str]:
    """The location's name and the address to go to (the type's, the room's or the location's)."""
    slot = booking.slot
    address = booking.service_type.location_address or slot.resource.address
    return slot.location.display_name, address or slot.location.address


def event_for(booking: Booking, *, studio_name: str, description: str = "") -> CalendarEvent:
    """The event a booking is in a client's calendar."""
    name, address = where(booking)
    return CalendarEvent(
        uid=booking.calendar_uid,
        sequence=booking.calendar_sequence,
        start=booking.slot.start_at,
        end=booking.slot.end_at,
        summary=f"{booking.service_type.public_name} – {studio_name}",
        location=", ".join(part for part in (name, " ".join(address.split())) if part),
        description=description,
        cancelled=booking.status is not BookingStatus.BOOKED,
    )


def ics(
    event: CalendarEvent,
    *,
    method: Method,
    organizer: str,
    now: datetime,
    attendee: tuple[str, str] | None = None,
) -> bytes:
    """The event as an iCalendar file. `organizer` is a From address ('Studio <a@b.c>');
    `attendee` the client's (name, email). CANCEL marks the event STATUS:CANCELLED."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", now.astimezone(UTC))
    vevent.add("dtstart", event.start.astimezone(UTC))
    vevent.add("dtend", event.end.astimezone(UTC))
    vevent.add("summary", event.summary)
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    cancelled = method is Method.CANCEL or event.cancelled
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    name, address = parseaddr(organizer)
    if address:
        who = vCalAddress(f"mailto:{address}")
        if name:
            who.params["cn"] = vText(name)
        vevent.add("organizer", who)
    if attendee is not None and method is not Method.PUBLISH:
        guest = vCalAddress(f"mailto:{attendee[1]}")
        guest.params["cn"] = vText(attendee[0])
        guest.params["role"] = vText("REQ-PARTICIPANT")
        guest.params["partstat"] = vText("ACCEPTED")  # the client booked it themselves
        guest.params["rsvp"] = vText("FALSE")
        vevent.add("attendee", guest)
    calendar.add_component(vevent)
    return calendar.to_ical()  # type: ignore[no-any-return]


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_link(event: CalendarEvent) -> str:
    """Google Calendar's 'create event' page with the event filled in."""
    query = {
        "action": "TEMPLATE",
        "text": event.summary,
        "dates": f"{_utc(event.start)}/{_utc(event.end)}",
        "details": event.description,
        "location": event.location,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_link(event: CalendarEvent) -> str:
    """Outlook on the web's 'new event' page with the event filled in."""
    iso = "%Y-%m-%dT%H:%M:%SZ"
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.summary,
        "startdt": event.start.astimezone(UTC).strftime(iso),
        "enddt": event.end.astimezone(UTC).strftime(iso),
        "location": event.location,
        "body": event.description,
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)
