"""A booking in the client's own calendar: the .ics download and 'add to' links for Google
Calendar and Outlook, offered on the confirmation page and in My bookings."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, url_for

from core.models import Booking, BookingStatus, Client
from core.services import calendar_file
from core.services.booking import find_booking
from core.services.booking_mail import calendar_event
from core.services.calendar_file import Method
from core.services.errors import NotFound
from web.auth import current_client, login_required_as
from web.clock import now
from web.extensions import db
from web.formatting import studio
from web.mail import mail_from
from widget import bp

client_required = login_required_as("client", "widget.login")


@dataclass(frozen=True)
class CalendarLinks:
    ics: str
    google: str
    outlook: str


def _event(booking: Booking) -> calendar_file.CalendarEvent:
    manage_link = url_for("widget.my_bookings", _external=True)
    return calendar_event(booking, studio_name=studio().name, manage_link=manage_link)


@bp.app_template_global()
def calendar_links(booking: Booking) -> CalendarLinks:
    """The booking's calendar download and its Google Calendar and Outlook links."""
    event = _event(booking)
    return CalendarLinks(
        ics=url_for("widget.booking_calendar", public_id=booking.public_id),
        google=calendar_file.google_link(event),
        outlook=calendar_file.outlook_link(event),
    )


@bp.get("/bookings/<public_id>/calendar.ics")
@client_required
def booking_calendar(public_id: str) -> Response:
    """The client's own live booking as a calendar file (the same event the mails carry)."""
    client = current_client()
    assert isinstance(client, Client)
    booking = find_booking(db.session, public_id, client_id=client.id)
    if booking.status is not BookingStatus.BOOKED:
        raise NotFound("This booking is no longer booked, so it has no calendar entry.")
    data = calendar_file.ics(
        _event(booking), method=Method.PUBLISH, organizer=mail_from(), now=now()
    )
    return Response(
        data,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="booking.ics"'},
    )
