"""Time slots: one location's week in its own timezone, and adding slots one at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from admin import bp
from admin.forms import SlotForm
from admin.views_common import moment, show_error, slot_access_required
from core.models import Booking, Location, ServiceType, SlotAccess, TimeSlot
from core.rules.calendar import local_date, local_midnight
from core.services import catalog, organizations
from core.services.errors import BookingError
from core.services.organizations import InvalidOrganization
from core.services.slots import InvalidSlot, create_slot, slots_between
from web.clock import now
from web.extensions import db
from web.htmx import is_htmx

Week = list[tuple[date, list[tuple[TimeSlot, Booking | None]]]]


def _chosen_location(locations: Sequence[Location]) -> Location:
    """The location named by ?location=ID, else the first one; 404 for an unknown id."""
    wanted = request.args.get("location")
    if not wanted:
        return locations[0]
    for location in locations:
        if str(location.id) == wanted:
            return location
    abort(404, "We could not find that location.")


def _local_day(argument: str, today: date) -> date:
    """The day in ?<argument>=YYYY-MM-DD, else today; 400 for anything else."""
    text = request.args.get(argument)
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2999:
        abort(400, f"“{text}” is not a date we can show. Use YYYY-MM-DD, for example 2026-07-13.")
    return day


def _week(rows: list[tuple[TimeSlot, Booking | None]], monday: date, tz: ZoneInfo) -> Week:
    """The seven local days from `monday`, each with its slots and their bookings."""
    by_day: dict[date, list[tuple[TimeSlot, Booking | None]]] = defaultdict(list)
    for slot, booking in rows:
        by_day[local_date(slot.start_at, tz)].append((slot, booking))
    return [(day, by_day[day]) for day in (monday + timedelta(days=n) for n in range(7))]


@bp.get("/slots")
@slot_access_required(SlotAccess.MODIFY_OVERRIDABLE)
def slots() -> str:
    """One location's time slots for one week (Monday to Sunday) in the location's timezone."""
    locations = catalog.all_locations(db.session)
    if not locations:
        return render_template("admin/slots_week.html", location=None)
    location = _chosen_location(locations)
    tz = ZoneInfo(location.timezone)
    day = _local_day("week", now().astimezone(tz).date())
    monday = day - timedelta(days=day.weekday())
    start, end = local_midnight(monday, tz), local_midnight(monday + timedelta(days=7), tz)
    rows = slots_between(db.session, location_id=location.id, start=start, end=end)
    return render_template(
        "admin/_week.html" if is_htmx() else "admin/slots_week.html",
        location=location,
        locations=locations,
        monday=monday,
        days=_week(rows, monday, tz),
        previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
        organization_names={o.id: o.name for o in organizations.all_organizations(db.session)},
    )


def _slot_form(location: Location, service_types: Sequence[ServiceType]) -> SlotForm:
    """The slot form for one location: its resources, every type, the day from ?date=."""
    today = now().astimezone(ZoneInfo(location.timezone)).date()
    form = SlotForm(data={"day": _local_day("date", today)})
    form.resource.choices = [SelectChoice(r.id, r.name) for r in location.resources]
    form.service_types.choices = [
        SelectChoice(t.id, f"{t.public_name} ({t.name}, {t.duration_minutes} min)")
        for t in service_types
    ]
    form.organization.choices = [SelectChoice("", "None: a public time slot")] + [
        SelectChoice(str(o.id), o.name) for o in organizations.all_organizations(db.session)
    ]
    return form


@bp.route("/slots/new", methods=["GET", "POST"])
@slot_access_required(SlotAccess.CREATE)
def new_slot() -> Response | tuple[str, int]:
    """Add one time slot at a location: local date and time, resource, the types it serves."""
    locations = catalog.all_locations(db.session) or abort(404, "Add a location first.")
    location = _chosen_location(locations)
    service_types = catalog.all_service_types(db.session)
    form = _slot_form(location, service_types)
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            slot = create_slot(
                db.session,
                resource_id=form.resource.data,
                day=form.day.data,
                start=form.start_time.data,
                duration_minutes=form.duration_for(service_types),
                service_type_ids=form.service_types.data,
                organization_id=form.organization.data,
            )
        except InvalidOrganization as error:
            status = show_error(form, error, form.organization)
        except InvalidSlot as error:  # a local time that does not exist (clocks go forward)
            status = show_error(form, error, form.start_time)
        except BookingError as error:
            status = show_error(form, error)
        else:
            when = moment(slot.start_at, location.timezone)
            flash(f"Time slot added: {when}, {slot.resource.name}.", "success")
            week = url_for("admin.slots", location=location.id, week=form.day.data.isoformat())
            return redirect(week, 303)
    return render_template(
        "admin/slot_form.html", form=form, location=location, locations=locations
    ), status
