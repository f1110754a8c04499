"""The waiting list in the widget: join it on a booked-out day, leave it from My bookings, and
open the mailed link that holds a time that opened up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, IntegerField
from wtforms.validators import InputRequired

from core.models import Location, ServiceType
from core.rules.calendar import local_date
from core.services import availability, waitlist, waitlist_links
from core.services.errors import BookingError, NotFound, SlotTaken
from web.auth import current_client, login_required_as
from web.clock import now
from web.extensions import db
from web.formatting import local_date as day_label
from web.waitlist import link_max_age, waitlist_mail
from widget import bp
from widget.forms import ROW_ID
from widget.holds import current_hold, remember_hold
from widget.organizations import current_organization, offered_type
from widget.picker import Picker, build_picker

Page = str | tuple[str, int] | Response
client_required = login_required_as("client", "widget.login")


class WaitlistForm(FlaskForm):
    location = IntegerField(validators=[InputRequired("Choose a location."), ROW_ID])
    day = DateField(validators=[InputRequired("Choose a day.")])


class LeaveForm(WaitlistForm):
    service_type = IntegerField(validators=[InputRequired("Choose a session type."), ROW_ID])


@dataclass(frozen=True)
class WaitlistOffer:
    """What the day view offers when the day has no times: join, or 'you are waiting'."""

    day: date
    waiting: bool


def waitlist_offer(picker: Picker) -> WaitlistOffer | None:
    """The offer for the picker's day, or None (a day with times, a day past or too far)."""
    if picker.day is None or picker.slots:
        return None
    if not waitlist.can_wait_for(
        db.session, picker.service_type, picker.location, picker.day, now()
    ):
        return None
    client = current_client()
    entry = client and waitlist.waiting_entry(
        db.session,
        client_id=client.id,
        service_type_id=picker.service_type.id,
        location_id=picker.location.id,
        day=picker.day,
    )
    return WaitlistOffer(picker.day, waiting=entry is not None)


def _day_url(service_type: ServiceType, location_id: int | None, day: date | None) -> str:
    return url_for(
        ".book_type",
        slug=service_type.slug,
        location=location_id,
        day=day.isoformat() if day else None,
    )


@bp.post("/book/<slug>/waitlist")
def join_waitlist(slug: str) -> Page:
    """Put the logged-in client on the waiting list for the chosen day."""
    service_type = offered_type(slug)
    form = WaitlistForm()
    if not form.validate():
        abort(400, "Please choose a day from the calendar.")
    back = _day_url(service_type, form.location.data, form.day.data)
    client = current_client()
    if client is None:
        return redirect(url_for(".login", next=back), 303)
    try:
        waitlist.join(
            db.session,
            client_id=client.id,
            service_type_id=service_type.id,
            location_id=form.location.data,
            day=form.day.data,
            now=now(),
            organization=current_organization(),
        )
    except BookingError as error:
        db.session.rollback()
        flash(str(error), "info" if error.status_code == 409 else "error")
        return redirect(back, 303)
    flash(
        f"You are on the waiting list for {day_label(form.day.data)}. "
        "We will email you if a time opens up.",
        "success",
    )
    return redirect(back, 303)


@bp.post("/account/waitlist/leave")
@client_required
def leave_waitlist() -> Page:
    """Take the client off the waiting list for a day."""
    form = LeaveForm()
    if not form.validate():
        abort(400, "Please choose a waiting list entry from My bookings.")
    client = current_client()
    assert client is not None  # client_required let the request in
    try:
        waitlist.leave(
            db.session,
            client_id=client.id,
            service_type_id=form.service_type.data,
            location_id=form.location.data,
            day=form.day.data,
            now=now(),
        )
    except NotFound as error:
        flash(str(error), "info")
    else:
        flash(f"You left the waiting list for {day_label(form.day.data)}.", "success")
    return redirect(url_for(".my_bookings"), 303)


@bp.get("/waitlist/hold/<token>")
@client_required
def waitlist_hold(token: str) -> Page:
    """The mailed link: hold the time that opened for this client, then review and confirm."""
    client = current_client()
    assert client is not None
    try:
        link = waitlist_links.read_token(
            db.session,
            token,
            secret_key=current_app.config["SECRET_KEY"],
            max_age=link_max_age(),
            now=now(),
        )
        service_type = link.entry.service_type
        hold = waitlist_links.hold_for_client(
            db.session,
            link,
            client_id=client.id,
            now=now(),
            hold_for=timedelta(minutes=current_app.config["HOLD_MINUTES"]),
            release=current_hold(),
            earliest_start=availability.earliest_start(db.session, service_type.kind, now()),
            organization=current_organization(),
            waitlist=waitlist_mail(),
        )
    except SlotTaken:
        return _taken(link.entry.service_type, link.entry.location, link.entry.day)
    except BookingError as error:
        db.session.rollback()
        return render_template(
            "widget/problem.html",
            message=str(error),
            back_url=url_for(".choose_type"),
            back_label="Choose a time",
        ), error.status_code
    remember_hold(hold)
    return redirect(url_for(".checkout"), 303)


def _taken(service_type: ServiceType, location: Location, day: date) -> tuple[str, int]:
    """Someone was quicker: the day's other times, if any; the client stays on the list."""
    tz = ZoneInfo(location.timezone)
    picker = build_picker(
        db.session,
        service_type,
        location,
        now=now(),
        month=None,
        day=max(day, local_date(now(), tz)),
        not_before=availability.earliest_start(db.session, service_type.kind, now()),
        organization=current_organization(),
        with_full_days=True,
    )
    return render_template(
        "widget/waitlist_taken.html",
        picker=picker,
        service_type=service_type,
        several_locations=True,
        waitlist=waitlist_offer(picker),
    ), SlotTaken.status_code
