"""My bookings: a client's upcoming bookings, each to reschedule or cancel within the studio's
limits, and their history (past, cancelled and rescheduled bookings)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from core.models import Booking, Client
from core.services import waitlist
from core.services.booking import cancel, upcoming_bookings
from core.services.change_limits import client_change_limits
from core.services.errors import BookingError
from core.services.organizations import slot_organization
from core.services.questions import answers_for
from core.services.rescheduling import (
    booking_history,
    offered_new_time,
    reschedulable_booking,
    reschedule,
)
from web.auth import current_client, login_required_as
from web.booking_mail import booking_mailer
from web.clock import now
from web.extensions import db
from web.form_input import row_id
from web.formatting import local_date, local_time
from web.htmx import htmx_target
from web.waitlist import waitlist_mail
from widget import bp
from widget.forms import HoldForm
from widget.picker import build_day, build_picker, parse_day, parse_month

Page = str | tuple[str, int] | Response
client_required = login_required_as("client", "widget.login")


def _client() -> Client:
    client = current_client()
    assert client is not None  # client_required let the request in
    return client


def _refused(error: BookingError, back_url: str, back_label: str) -> tuple[str, int]:
    db.session.rollback()
    return render_template(
        "widget/problem.html", message=str(error), back_url=back_url, back_label=back_label
    ), error.status_code


def _when(booking: Booking) -> str:
    tz = booking.slot.location.timezone
    return f"{local_date(booking.slot.start_at, tz)} at {local_time(booking.slot.start_at, tz)}"


@bp.get("/account/bookings")
@client_required
def my_bookings() -> str:
    """The client's upcoming bookings (reschedule, cancel, or why not) and their history."""
    client_id, moment = _client().id, now()
    bookings = upcoming_bookings(db.session, now=moment, client_id=client_id)
    return render_template(
        "widget/my_bookings.html",
        bookings=bookings,
        limits={b.id: client_change_limits(db.session, b, moment) for b in bookings},
        answers=answers_for(db.session, [b.id for b in bookings]),
        history=booking_history(db.session, client_id=client_id, now=moment),
        waiting=waitlist.entries_for_client(db.session, client_id=client_id, now=moment),
    )


@bp.post("/account/bookings/<public_id>/cancel")
@client_required
def cancel_booking(public_id: str) -> Page:
    """Cancel one of the client's own bookings; its time opens for others again."""
    try:
        booking = cancel(
            db.session,
            public_id=public_id,
            now=now(),
            client_id=_client().id,
            mailer=booking_mailer(),
            waitlist=waitlist_mail(),
        )
    except BookingError as error:
        return _refused(error, url_for(".my_bookings"), "Back to My bookings")
    flash(f"Your {booking.service_type.public_name} is cancelled.", "success")
    return redirect(url_for(".my_bookings"), 303)


@bp.get("/account/bookings/<public_id>/reschedule")
@client_required
def reschedule_booking(public_id: str) -> Page:
    """Reschedule, step 1: the type's slot picker, its times leading to the confirmation."""
    try:
        booking = reschedulable_booking(
            db.session, public_id=public_id, now=now(), client_id=_client().id
        )
    except BookingError as error:
        return _refused(error, url_for(".my_bookings"), "Back to My bookings")
    organization = slot_organization(db.session, booking.slot)  # the booking's own link
    day = parse_day(request.args.get("day"))
    if htmx_target() == "day-times" and day is not None:  # a day of the month on screen
        picker = build_day(
            db.session,
            booking.service_type,
            booking.slot.location,
            now=now(),
            day=day,
            organization=organization,
        )
        return render_template("widget/_day_times.html", picker=picker, reschedule=booking)
    picker = build_picker(
        db.session,
        booking.service_type,
        booking.slot.location,
        now=now(),
        month=parse_month(request.args.get("month")),
        day=day,
        organization=organization,
    )
    context: dict[str, Any] = {"picker": picker, "reschedule": booking}
    if htmx_target() == "slot-picker":
        return render_template("widget/_slot_picker.html", **context)
    return render_template("widget/reschedule.html", booking=booking, **context)


@bp.get("/account/bookings/<public_id>/reschedule/confirm")
@client_required
def confirm_reschedule(public_id: str) -> Page:
    """Reschedule, step 2: the old time and the new one side by side, to confirm."""
    slot_id = request.args.get("slot_id", type=row_id)
    if slot_id is None:
        abort(400, "Please choose a new time from the calendar.")
    picker_url = url_for(".reschedule_booking", public_id=public_id)
    try:
        booking = reschedulable_booking(
            db.session, public_id=public_id, now=now(), client_id=_client().id
        )
        new_slot = offered_new_time(db.session, booking, slot_id, now())
    except BookingError as error:
        return _refused(error, picker_url, "Choose another time")
    return render_template("widget/reschedule_confirm.html", booking=booking, new_slot=new_slot)


@bp.post("/account/bookings/<public_id>/reschedule")
@client_required
def do_reschedule(public_id: str) -> Page:
    """Reschedule, step 3: move the booking; the old time opens for others again."""
    form = HoldForm()
    if not form.validate():
        abort(400, "Please choose a new time from the calendar.")
    try:
        moved = reschedule(
            db.session,
            public_id=public_id,
            new_slot_id=form.slot_id.data,
            now=now(),
            client_id=_client().id,
            mailer=booking_mailer(),
            waitlist=waitlist_mail(),
        )
    except BookingError as error:
        picker_url = url_for(".reschedule_booking", public_id=public_id)
        return _refused(error, picker_url, "Choose another time")
    flash(f"Your {moved.service_type.public_name} is moved to {_when(moved)}.", "success")
    return redirect(url_for(".my_bookings"), 303)
