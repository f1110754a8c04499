"""Time slots on the staff calendar: one location's week in its own timezone, a slot added by
clicking an empty time, a slot opened to edit, move, close or delete it.

The calendar (`#calendar`) and the side panel (`#slot-panel`) are htmx components: week links
swap the calendar, slot and empty-time links load the panel, the panel's forms swap the panel
and, when something changed, the calendar too (out of band). Without JavaScript every link is
the same page with that week and that panel, and every form posts and redirects (303) or shows
the page again with its errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from admin import bp
from admin.forms_slots import (
    OVERRIDABLE_HELP,
    MoveSlotForm,
    NewSlotForm,
    SlotDetailsForm,
    offer_choices,
)
from admin.slot_calendar import shown_state, week_grid
from admin.views_common import (
    day_argument,
    moment,
    require_slot_change,
    show_error,
    slot_access_required,
)
from core.models import Booking, Location, Resource, SlotAccess, TimeSlot
from core.rules.calendar import local_midnight
from core.services import access, catalog, organizations
from core.services import slots as service
from core.services.errors import BookingError
from core.services.organizations import InvalidOrganization
from web.auth import current_staff
from web.clock import now
from web.extensions import db
from web.formatting import studio
from web.htmx import htmx_target
from web.waitlist import waitlist_mail

Page = Response | tuple[str, int]
CALENDAR_ID = "calendar"
PANEL_ID = "slot-panel"
SLOT_RULE = "/slots/<int(max=2147483647):slot_id>"


@dataclass(frozen=True)
class Week:
    """What the calendar shows: a location (maybe one resource of it) from a Monday."""

    location: Location
    locations: Sequence[Location]
    resource: Resource | None
    monday: date

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.location.timezone)

    def url(self, monday: date | None = None) -> str:
        week = (monday or self.monday).isoformat()
        resource = self.resource.id if self.resource else None
        return url_for("admin.slots", location=self.location.id, resource=resource, week=week)


def _argument_time() -> time | None:
    """The time in ?time=HH:MM, if any; 400 for anything else."""
    text = request.args.get("time")
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        abort(400, f"“{text}” is not a time. Use HH:MM, for example 09:30.")


def _week(location: Location | None = None, day: date | None = None) -> Week:
    """The week asked for: ?location= (or `location`), ?resource=, and the week holding `day`
    (else ?week=, else this week). 404 for a location or resource that is not there."""
    locations = catalog.all_locations(db.session) or abort(404, "Add a location first.")
    if location is None:
        wanted = request.args.get("location")
        matches = [each for each in locations if str(each.id) == wanted]
        if wanted and not matches:
            abort(404, "We could not find that location.")
        location = matches[0] if matches else locations[0]
    resource = None
    if wanted_resource := request.args.get("resource"):
        matches = [r for r in location.resources if str(r.id) == wanted_resource]
        resource = matches[0] if matches else abort(404, "We could not find that resource here.")
    tz = ZoneInfo(location.timezone)
    day = day or day_argument("week") or now().astimezone(tz).date()
    return Week(location, locations, resource, day - timedelta(days=day.weekday()))


def _calendar(week: Week, selected: int | None = None) -> dict[str, Any]:
    """What the calendar template needs, in a constant number of queries."""
    start = local_midnight(week.monday, week.tz)
    end = local_midnight(week.monday + timedelta(days=7), week.tz)
    rows = service.slots_between(
        db.session,
        location_id=week.location.id,
        start=start,
        end=end,
        resource_id=week.resource.id if week.resource else None,
    )
    return {
        "week": week,
        "grid": week_grid(rows, week.monday, week.tz, now()),
        "today": now().astimezone(week.tz).date(),
        "previous_week": week.monday - timedelta(days=7),
        "next_week": week.monday + timedelta(days=7),
        "selected": selected,
    }


def _level() -> int:
    staff = current_staff()
    return staff.slot_access if staff else SlotAccess.NONE


def _clock(moment: int | datetime) -> str:
    """'9:30 AM': a minute of the day, or a local time, on the studio's clock."""
    if isinstance(moment, int):
        moment = datetime.combine(date.min, time(moment // 60, moment % 60))
    return format_time(moment, "short", locale=studio().locale)


def _short_day(day: date) -> str:
    """'Mon 13': a day heading of the week."""
    return format_skeleton("EEEd", day, locale=studio().locale)


def _shared() -> dict[str, Any]:
    """What both the calendar and the panel templates use."""
    return {
        "can_create": access.may_create_slots(_level()),
        "organization_names": {o.id: o.name for o in _organizations()},
        "clock": _clock,
        "short_day": _short_day,
        "overridable_help": OVERRIDABLE_HELP,
    }


def _organizations() -> Sequence[Any]:
    return organizations.all_organizations(db.session)


def _respond(
    week: Week,
    panel: dict[str, Any],
    status: int = 200,
    *,
    selected: int | None = None,
    changed: bool = False,
) -> tuple[str, int]:
    """The panel alone for htmx loading the panel, with the calendar out of band when
    something `changed`; the calendar alone for htmx week navigation; else the whole page."""
    target = htmx_target()
    if target == PANEL_ID:
        calendar = _calendar(week, selected) if changed else None
        page = render_template(
            "admin/_slot_panel_response.html",
            panel=panel,
            week=week,
            calendar=calendar,
            **_shared(),
        )
        return page, status
    context = {**_calendar(week, selected), **_shared()}
    if target == CALENDAR_ID:
        return render_template("admin/_calendar.html", **context), status
    return render_template("admin/slots_week.html", panel=panel, **context), status


@bp.get("/slots")
@slot_access_required(SlotAccess.MODIFY_OVERRIDABLE)
def slots() -> Page:
    """One location's time slots for one week (Monday to Sunday) in the location's timezone."""
    if not catalog.all_locations(db.session):
        return render_template("admin/slots_week.html", week=None, can_create=False), 200
    return _respond(_week(), {"kind": "intro"})


def _choices(form: NewSlotForm | SlotDetailsForm, location: Location) -> Any:
    service_types = catalog.all_service_types(db.session)
    offer_choices(form, location, service_types, _organizations())
    return service_types


def _new_panel(form: NewSlotForm, service_types: Any, **extra: Any) -> dict[str, Any]:
    minutes = {t.id: t.duration_minutes for t in service_types}
    return {"kind": "new", "form": form, "minutes": minutes, **extra}


@bp.route("/slots/new", methods=["GET", "POST"])
@slot_access_required(SlotAccess.CREATE)
def new_slot() -> Page:
    """Add one time slot at a location: local date and time, resource, the types it serves."""
    week = _week()
    today = now().astimezone(week.tz).date()
    day = day_argument("date") or today
    start = _argument_time()
    first = week.resource or (week.location.resources or [None])[0]
    form = NewSlotForm(data={"day": day, "start_time": start, "resource": first and first.id})
    service_types = _choices(form, week.location)
    if not form.is_submitted():
        week = _week(week.location, day)
        return _respond(week, _new_panel(form, service_types))
    status = 400
    if form.validate_on_submit():
        try:
            slot = service.create_slot(
                db.session,
                resource_id=form.resource.data,
                day=form.day.data,
                start=form.start_time.data,
                duration_minutes=form.duration_for(service_types),
                service_type_ids=form.service_types.data,
                organization_id=form.organization.data,
                overridable=bool(form.overridable.data),
                waitlist=waitlist_mail(),
                now=now(),
            )
        except InvalidOrganization as error:
            status = show_error(form, error, form.organization)
        except service.InvalidSlot as error:  # a local time that does not exist (clocks go forward)
            status = show_error(form, error, form.start_time)
        except BookingError as error:
            status = show_error(form, error)
        else:
            message = f"Time slot added: {moment(slot.start_at, week.location.timezone)}, "
            message += f"{slot.resource.name}."
            return _changed(week, slot.id, message, to_week=True)
    if not form.day.errors and form.day.data:
        week = _week(week.location, form.day.data)
    return _respond(week, _new_panel(form, service_types), status)


def _changed(week: Week, slot_id: int | None, message: str, *, to_week: bool = False) -> Page:
    """After a change: htmx gets the slot's panel (or the intro) with the message and the
    calendar of the slot's week; a browser without JavaScript is redirected there (303)."""
    if slot_id is not None:
        slot, booking = service.find_slot(db.session, slot_id)
        tz = ZoneInfo(slot.location.timezone)
        week = _week(slot.location, slot.start_at.astimezone(tz).date())
    if htmx_target() != PANEL_ID:
        flash(message, "success")
        if slot_id is None or to_week:
            return redirect(week.url(), 303)
        return redirect(_slot_url(week, slot_id), 303)
    panel = _slot_panel(slot, booking) if slot_id is not None else {"kind": "intro"}
    page = make_response(
        _respond(week, {**panel, "message": message}, selected=slot_id, changed=True)
    )
    if slot_id is not None:
        page.headers["HX-Push-Url"] = _slot_url(week, slot_id)
    return page


def _slot_url(week: Week, slot_id: int) -> str:
    resource = week.resource.id if week.resource else None
    return url_for("admin.slot", slot_id=slot_id, resource=resource)


def _slot_panel(
    slot: TimeSlot,
    booking: Booking | None,
    move_form: MoveSlotForm | None = None,
    details_form: SlotDetailsForm | None = None,
) -> dict[str, Any]:
    """The panel of one slot: what it is, and the forms the staff member may use on it."""
    tz = ZoneInfo(slot.location.timezone)
    starts = slot.start_at.astimezone(tz)
    minutes = int((slot.end_at - slot.start_at).total_seconds() // 60)
    if move_form is None:
        move_form = MoveSlotForm(formdata=None, data={"day": starts.date(), "start_time": starts})
    if details_form is None:
        data = {
            "resource": slot.resource_id,
            "duration_minutes": minutes,
            "service_types": [t.id for t in slot.service_types],
            "organization": slot.organization_id,
            "overridable": slot.overridable,
        }
        details_form = SlotDetailsForm(formdata=None, data=data)
        _choices(details_form, slot.location)
    state = shown_state(slot, now())
    return {
        "kind": "slot",
        "slot": slot,
        "booking": booking,
        "state": state,
        "minutes": minutes,
        "in_use": state in ("booked", "held"),
        "may_change": access.may_change_slot(_level(), slot.overridable),
        "may_set_overridable": _level() >= SlotAccess.FULL,
        "move_form": move_form,
        "details_form": details_form,
        "action_form": FlaskForm(),
    }


@bp.get(SLOT_RULE)
@slot_access_required(SlotAccess.MODIFY_OVERRIDABLE)
def slot(slot_id: int) -> Page:
    """One slot's panel beside its week: what it is, and edit, move, close or delete."""
    found, booking = service.find_slot(db.session, slot_id)
    tz = ZoneInfo(found.location.timezone)
    week = _week(found.location, found.start_at.astimezone(tz).date())
    return _respond(week, _slot_panel(found, booking), selected=slot_id)


def _changeable(slot_id: int) -> tuple[TimeSlot, Booking | None, Week]:
    """The slot, its booking and its week; 403 unless the staff member may change it."""
    found, booking = service.find_slot(db.session, slot_id)
    require_slot_change(found.overridable)
    tz = ZoneInfo(found.location.timezone)
    return found, booking, _week(found.location, found.start_at.astimezone(tz).date())


def _refused(week: Week, panel: dict[str, Any], error: BookingError) -> Page:
    """A change refused: the slot's panel again with the message atop it."""
    return _respond(week, {**panel, "refusal": str(error)}, error.status_code)


@bp.post(f"{SLOT_RULE}/edit")
@slot_access_required(SlotAccess.MODIFY_OVERRIDABLE)
def edit_slot(slot_id: int) -> Page:
    """Change a slot's duration, resource, types, organization and (full access) overridable."""
    found, booking, week = _changeable(slot_id)
    form = SlotDetailsForm()
    _choices(form, found.location)
    panel = _slot_panel(found, booking, details_form=form)
    if not form.validate_on_submit():
        return _respond(week, panel, 400, selected=slot_id)
    starts = found.start_at.astimezone(week.tz)
    overridable = form.overridable.data if panel["may_set_overridable"] else found.overridable
    details = service.SlotDetails(
        resource_id=form.resource.data,
        day=starts.date(),
        start=starts.time(),
        duration_minutes=form.duration_minutes.data,
        service_type_ids=form.service_types.data,
        organization_id=form.organization.data,
        overridable=bool(overridable),
    )
    try:
        service.update_slot(db.session, slot_id, details, now=now(), waitlist=waitlist_mail())
    except InvalidOrganization as error:
        return _respond(week, panel, show_error(form, error, form.organization), selected=slot_id)
    except BookingError as error:
        return _refused(week, panel, error)
    return _changed(week, slot_id, "Time slot saved.")


@bp.post(f"{SLOT_RULE}/move")
@slot_access_required(SlotAccess.MODIFY_OVERRIDABLE)
def move_slot(slot_id: int) -> Page:
    """Move a slot to another day or time, keeping its length."""
    found, booking, week = _changeable(slot_id)
    form = MoveSlotForm()
    panel = _slot_panel(found, booking, move_form=form)
    if not form.validate_on_submit():
        return _respond(week, panel, 400, selected=slot_id)
    try:
        moved = service.move_slot(
            db.session,
            slot_id,
            day=form.day.data,
            start=form.start_time.data,
            now=now(),
            waitlist=waitlist_mail(),
        )
    except service.InvalidSlot as error:
        return _respond(week, panel, show_error(form, error, form.start_time), selected=slot_id)
    except BookingError as error:
        return _refused(week, panel, error)
    when = moment(moved.start_at, found.location.timezone)
    return _changed(week, slot_id, f"Time slot moved to {when}.")


def _state_change(slot_id: int, change: str) -> Page:
    found, booking, week = _changeable(slot_id)
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired. Please reload the page and try again.")
    when = moment(found.start_at, week.location.timezone)  # before a delete makes it unreadable
    try:
        if change == "close":
            service.close_slot(db.session, slot_id, now=now())
        elif change == "reopen":
            service.reopen_slot(db.session, slot_id, waitlist=waitlist_mail(), now=now())
        else:
            service.delete_slot(db.session, slot_id, now=now())
    except BookingError as error:
        return _refused(week, _slot_panel(found, booking), error)
    if change == "delete":
        return _changed(week, None, f"Time slot deleted: {when}.")
    done = "closed: clients no longer see it" if change == "close" else "open again"
    return _changed(week, slot_id, f"Time slot {done}.")


@bp.post(f"{SLOT_RULE}/close")
@slot_access_required(SlotAccess.MODIFY_OVERRIDABLE)
def close_slot(slot_id: int) -> Page:
    """Close a slot: it stays on the calendar, clients no longer see it."""
    return _state_change(slot_id, "close")


@bp.post(f"{SLOT_RULE}/reopen")
@slot_access_required(SlotAccess.MODIFY_OVERRIDABLE)
def reopen_slot(slot_id: int) -> Page:
    """Open a closed slot again."""
    return _state_change(slot_id, "reopen")


@bp.post(f"{SLOT_RULE}/delete")
@slot_access_required(SlotAccess.MODIFY_OVERRIDABLE)
def delete_slot(slot_id: int) -> Page:
    """Delete a slot that was never booked."""
    return _state_change(slot_id, "delete")
