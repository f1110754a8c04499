"""Bulk create/copy tool (seed 001): copy a week or a day of slots, or make slots from a pattern.
Preview first (no writes); "Create" plans again at that moment and creates in one transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from babel.dates import format_skeleton, format_time
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from admin import bp
from admin.forms_slot_copy import CopyForm, PatternForm
from admin.views_common import date_range, show_error, slot_access_required, time_at
from core.models import Location, Resource, ServiceType, SlotAccess
from core.services import catalog
from core.services.errors import BookingError
from core.services.slot_copy import (
    NewSlot,
    Plan,
    create,
    monday_of,
    plan_copy,
    plan_pattern,
)
from web.clock import now
from web.extensions import db
from web.formatting import studio
from web.htmx import is_htmx
from web.waitlist import waitlist_mail

Page = str | tuple[str, int]
SHOWN = 200  # slots listed in a preview; the rest are counted
SHOWN_PER_REASON = 50


@dataclass(frozen=True)
class Row:
    day: str  # 'Mon, Dec 14, 2026'
    time: str
    minutes: int
    resource: str
    location: str
    types: str


@dataclass
class Preview:
    """What a plan would do, in words and local times, for the page."""

    creates: int
    skips: int
    by_reason: dict[str, int]
    weeks: list[tuple[str, int, list[Row]]] = field(default_factory=list)  # 'Dec 14 – 20, 2026'

    not_shown: int = 0
    skipped: list[tuple[str, int, list[Row]]] = field(default_factory=list)


def _rows_of(slots: list[NewSlot]) -> Callable[[NewSlot], Row]:
    """A function turning a planned slot into a row, with names read in two queries."""
    ids = {s.resource_id for s in slots}
    resources = {
        r.id: r for r in db.session.scalars(select(Resource).where(Resource.id.in_(ids))).all()
    }
    locations = {loc.id: loc for loc in db.session.scalars(select(Location)).all()}
    types = {t.id: t.public_name for t in db.session.scalars(select(ServiceType)).all()}

    def row(slot: NewSlot) -> Row:
        location = locations[slot.location_id]
        if slot.real_time:
            clock = time_at(slot.start_at, location.timezone)
        else:  # a wall-clock time the clocks skip has no zone abbreviation to show
            clock = format_time(slot.start, "short", locale=studio().locale)
        return Row(
            day=format_skeleton("yMMMEd", slot.day, locale=studio().locale),
            time=clock,
            minutes=int((slot.end_at - slot.start_at).total_seconds() // 60),
            resource=resources[slot.resource_id].name,
            location=location.display_name,
            types=", ".join(types.get(t, "?") for t in slot.service_type_ids),
        )

    return row


def _preview(plan: Plan) -> Preview:
    """The first SHOWN slots to create grouped by week, and the skipped ones by reason."""
    row = _rows_of(plan.create[:SHOWN] + [s for s, _ in plan.skip])
    per_week: dict[date, int] = defaultdict(int)
    for slot in plan.create:
        per_week[monday_of(slot.day)] += 1
    shown: dict[date, list[Row]] = defaultdict(list)
    for slot in sorted(plan.create, key=lambda s: (s.day, s.start, s.resource_id))[:SHOWN]:
        shown[monday_of(slot.day)].append(row(slot))
    by_reason: dict[str, list[NewSlot]] = defaultdict(list)
    for slot, reason in plan.skip:
        by_reason[reason].append(slot)
    return Preview(
        creates=len(plan.create),
        skips=len(plan.skip),
        by_reason=plan.skipped_by_reason(),
        weeks=[
            (date_range(monday, monday + timedelta(days=6)), per_week[monday], rows)
            for monday, rows in sorted(shown.items())
        ],
        not_shown=max(0, len(plan.create) - SHOWN),
        skipped=[
            (reason, len(slots), [row(s) for s in slots[:SHOWN_PER_REASON]])
            for reason, slots in sorted(by_reason.items(), key=lambda item: -len(item[1]))
        ],
    )


def _summary(created: int, skipped: int, by_reason: dict[str, int]) -> str:
    """'Created 12 slots; skipped 3 (a slot already exists at that time: 3).'"""
    text = f"Created {created} slot{'' if created == 1 else 's'}; skipped {skipped}"
    if by_reason:
        reasons = "; ".join(f"{r[0].lower()}{r[1:]}: {n}" for r, n in by_reason.items())
        text += f" ({reasons})"
    return text + "."


def _week_asked() -> date | None:
    """The Monday of ?week=YYYY-MM-DD (the calendar's week), if it names a usable day."""
    try:
        day = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        return None
    return monday_of(day) if 2000 <= day.year <= 2999 else None


def _copy_form() -> CopyForm:
    """The copy form; on a first visit, from the calendar's week (or this one) to the next."""
    locations = catalog.all_locations(db.session)
    source = _week_asked() or monday_of(now().date())
    form = CopyForm(
        data={
            "source": source,
            "target": source + timedelta(weeks=1),
            "locations": [loc.id for loc in locations],
        }
        if request.method == "GET"
        else None
    )
    form.locations.choices = [SelectChoice(loc.id, loc.display_name) for loc in locations]
    return form


def _pattern_form(types: list[ServiceType]) -> PatternForm:
    today = now().date()
    form = PatternForm(
        data={
            "first_day": today + timedelta(days=1),
            "last_day": today + timedelta(weeks=4),
            "from_time": time(9),
            "to_time": time(17),
        }
        if request.method == "GET"
        else None
    )
    form.resource.choices = [
        SelectChoice(r.id, f"{loc.display_name} · {r.name}")
        for loc in catalog.all_locations(db.session)
        for r in loc.resources
    ]
    form.service_types.choices = [
        SelectChoice(t.id, f"{t.public_name} ({t.name}, {t.duration_minutes} min)") for t in types
    ]
    return form


def _plan_copy(form: CopyForm) -> Plan:
    return plan_copy(
        db.session,
        source_first_day=form.source_first_day(),
        source_days=form.source_days(),
        target_first_days=form.target_first_days(),
        location_ids=form.locations.data,
        skip_booked=form.skip_booked.data,
        skip_closed=form.skip_closed.data,
        now=now(),
    )


def _plan_pattern(form: PatternForm, types: list[ServiceType]) -> Plan:
    return plan_pattern(
        db.session,
        resource_id=form.resource.data,
        first_day=form.first_day.data,
        last_day=form.last_day.data,
        weekdays=form.weekdays.data,
        from_time=form.from_time.data,
        to_time=form.to_time.data,
        every_minutes=form.every_minutes.data,
        duration_minutes=form.duration_for(types),
        service_type_ids=form.service_types.data,
        overridable=form.overridable.data,
        skip_booked=form.skip_booked.data,
        skip_closed=form.skip_closed.data,
        now=now(),
    )


def _page(tab: str, form: CopyForm | PatternForm, status: int, plan: Plan | None = None) -> Page:
    """The tool's page, or only its form-and-preview part for an htmx request."""
    template = "admin/_slot_copy_body.html" if is_htmx() else "admin/slot_copy.html"
    preview = _preview(plan) if plan is not None else None
    hidden = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
    return render_template(template, tab=tab, form=form, preview=preview, hidden=hidden), status


def _created(plan: Plan, location_id: int | None, first_day: date) -> Response:
    """Create the plan's slots, commit, and show the first week copied to on the calendar."""
    result = create(db.session, plan, waitlist=waitlist_mail(), now=now())
    flash(_summary(result.created, result.skipped, result.skipped_by_reason), "success")
    week = url_for("admin.slots", location=location_id, week=first_day.isoformat())
    return redirect(week, 303)


@bp.route("/slots/copy", methods=["GET", "POST"])
@slot_access_required(SlotAccess.CREATE)
def copy_slots() -> Page:
    """Copy a week or a day: the form, and on POST the preview (nothing is written)."""
    form = _copy_form()
    if not form.validate_on_submit():
        return _page("copy", form, 400 if form.is_submitted() else 200)
    try:
        plan = _plan_copy(form)
    except BookingError as error:
        return _page("copy", form, show_error(form, error))
    return _page("copy", form, 200, plan)


@bp.post("/slots/copy/create")
@slot_access_required(SlotAccess.CREATE)
def create_copied_slots() -> Response | Page:
    """Copy for real: plan again now, create what is still free, then show the calendar."""
    form = _copy_form()
    if not form.validate_on_submit():
        return _page("copy", form, 400)
    try:
        plan = _plan_copy(form)
    except BookingError as error:
        return _page("copy", form, show_error(form, error))
    copied_to = {slot.location_id for slot in plan.create}
    chosen = form.locations.data  # in the page's order, by name
    location = next((loc for loc in chosen if loc in copied_to), chosen[0])
    return _created(plan, location, form.target_first_days()[0])


@bp.route("/slots/copy/pattern", methods=["GET", "POST"])
@slot_access_required(SlotAccess.CREATE)
def pattern_slots() -> Page:
    """Create slots from a pattern: the form, and on POST the preview (nothing is written)."""
    types = catalog.all_service_types(db.session)
    form = _pattern_form(types)
    if not form.validate_on_submit():
        return _page("pattern", form, 400 if form.is_submitted() else 200)
    try:
        plan = _plan_pattern(form, types)
    except BookingError as error:
        return _page("pattern", form, show_error(form, error))
    return _page("pattern", form, 200, plan)


@bp.post("/slots/copy/pattern/create")
@slot_access_required(SlotAccess.CREATE)
def create_pattern_slots() -> Response | Page:
    """Create the pattern's slots for real, planned again now, then show the calendar."""
    types = catalog.all_service_types(db.session)
    form = _pattern_form(types)
    if not form.validate_on_submit():
        return _page("pattern", form, 400)
    try:
        plan = _plan_pattern(form, types)
    except BookingError as error:
        return _page("pattern", form, show_error(form, error))
    resource = db.session.get(Resource, form.resource.data)
    location = resource.location_id if resource is not None else None
    return _created(plan, location, form.first_day.data)
