"""Bookings: the upcoming ones with client and slot, and cancelling one."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from admin import bp
from admin.views_common import moment, staff_required
from core.services.booking import cancel, upcoming_bookings
from core.services.errors import BookingError
from core.services.questions import answers_for
from web.booking_mail import booking_mailer
from web.clock import now
from web.extensions import db
from web.waitlist import waitlist_mail


def _bookings_page(status: int = 200) -> tuple[str, int]:
    bookings = upcoming_bookings(db.session, now=now())
    answers = answers_for(db.session, [b.id for b in bookings])
    return render_template("admin/bookings.html", bookings=bookings, answers=answers), status


@bp.get("/bookings")
@staff_required
def bookings() -> tuple[str, int]:
    """Upcoming bookings, soonest first, with client, time and place."""
    return _bookings_page()


@bp.post("/bookings/<public_id>/cancel")
@staff_required
def cancel_booking(public_id: str) -> Response | tuple[str, int]:
    """Cancel a booking for the client; its time slot opens again."""
    try:
        booking = cancel(
            db.session,
            public_id=public_id,
            now=now(),
            mailer=booking_mailer(),
            waitlist=waitlist_mail(),
        )
    except BookingError as error:
        flash(str(error), "error")
        return _bookings_page(error.status_code)
    when = moment(booking.slot.start_at, booking.slot.location.timezone)
    flash(
        f"Cancelled {booking.client.name}’s booking on {when}. The time is open again.", "success"
    )
    return redirect(url_for("admin.bookings"), 303)
