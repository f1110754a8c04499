"""The Time Slots tab of the online booking preferences (seed 001): the weekly job's settings,
its last runs and "Run now"; and each location's closed days, which the job can skip."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from admin import bp
from admin.forms_slot_job import ClosureForm, SlotJobForm
from admin.views_common import show_error
from admin.views_preferences import TABS, Page, _page, _saved, preferences_required
from core.models import Location, Staff
from core.services import catalog, settings, slot_job
from core.services import slot_job_settings as job_settings
from core.services.errors import BookingError
from core.services.preferences import online_preferences
from core.services.settings import InvalidPreference
from web import slot_job as web_slot_job
from web.clock import now
from web.extensions import db


def _form(bind: bool) -> SlotJobForm:
    prefs = online_preferences(db.session)
    form = SlotJobForm(
        data={
            "enabled": prefs.slot_job_enabled,
            "source_week": prefs.slot_job_source_week,
            "first_week": prefs.slot_job_first_week,
            "weekday": prefs.slot_job_weekday,
            "skip_booked": prefs.slot_job_skip_booked,
            "skip_closed": prefs.slot_job_skip_closed,
            "notify_staff_id": prefs.slot_job_notify_staff_id,
            "email": prefs.slot_job_email,
        },
        **({} if bind else {"formdata": None}),
    )
    staff: list[Staff] = settings.active_staff(db.session)
    current = prefs.slot_job_notify_staff
    if current is not None and current not in staff:
        staff.append(current)
    form.notify_staff_id.choices = [SelectChoice("", "Nobody")] + [
        SelectChoice(str(s.id), s.name if s.active else f"{s.name} (no longer active)")
        for s in staff
    ]
    return form


def _timeslots_page(form: SlotJobForm, status: int = 200) -> tuple[str, int]:
    today = slot_job.studio_today(db.session, now())
    return _page(
        "timeslots",
        status,
        form=form,
        runs=job_settings.last_runs(db.session),
        locations=catalog.all_locations(db.session),
        closure_counts=job_settings.upcoming_closure_counts(db.session, since=today),
        week_label=slot_job.week_label,
        timezone=slot_job.studio_timezone(db.session).key,
    )


@bp.route("/preferences/timeslots", methods=["GET", "POST"])
@preferences_required
def preferences_timeslots() -> Page:
    """The weekly job: source and first week, its day, skip options, who hears how it went."""
    if request.method == "GET":
        return _timeslots_page(_form(bind=False))
    form = _form(bind=True)
    if not form.validate_on_submit():
        return _timeslots_page(form, 400)
    try:
        prefs = job_settings.update_slot_job(db.session, form.settings())
    except InvalidPreference as error:
        return _timeslots_page(form, show_error(form, error, form[error.field]))
    if not prefs.slot_job_enabled:
        return _saved("timeslots", "Time slot job saved. It is off: it will not run.")
    day = slot_job.WEEKDAYS[prefs.slot_job_weekday]
    return _saved("timeslots", f"Time slot job saved. It runs on {day}s.")


@bp.post("/preferences/timeslots/run")
@preferences_required
def preferences_timeslots_run() -> Response:
    """Run the weekly job now, whatever the day (it still fills at most one week a day)."""
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired. Please try again.")
    result = web_slot_job.run_weekly(force=True)
    category = {
        slot_job.Outcome.DONE: "success",
        slot_job.Outcome.FAILED: "error",
    }.get(result.outcome, "info")
    flash(" ".join(slot_job.report(result).splitlines()), category)
    return redirect(url_for("admin.preferences_timeslots"), 303)


# Closures


def _location(location_id: int) -> Location:
    location = db.session.get(Location, location_id)
    if location is None:
        abort(404, "That location does not exist.")
    return location


def _closures_page(location: Location, form: ClosureForm, status: int = 200) -> tuple[str, int]:
    today = now().astimezone(ZoneInfo(location.timezone)).date()
    return render_template(
        "admin/location_closures.html",
        tab="timeslots",
        tabs=TABS,
        location=location,
        closures=job_settings.closures(db.session, location.id, since=today),
        form=form,
        today=today,
    ), status


@bp.get("/locations/<int(max=2147483647):location_id>/closures")
@preferences_required
def location_closures(location_id: int) -> Page:
    """A location's closed days from today on, with a form to add one."""
    return _closures_page(_location(location_id), ClosureForm(formdata=None))


@bp.post("/locations/<int(max=2147483647):location_id>/closures")
@preferences_required
def location_closure_add(location_id: int) -> Page:
    """Close the location on a day (with an optional reason)."""
    location = _location(location_id)
    form = ClosureForm()
    if not form.validate_on_submit():
        return _closures_page(location, form, 400)
    today = now().astimezone(ZoneInfo(location.timezone)).date()
    try:
        closure = job_settings.add_closure(
            db.session,
            location_id=location.id,
            day=form.day.data,
            reason=form.reason.data or "",
            today=today,
        )
    except BookingError as error:
        return _closures_page(location, form, show_error(form, error, form.day))
    flash(f"{location.display_name} is closed on {slot_job.day_label(closure.day)}.", "success")
    return redirect(url_for("admin.location_closures", location_id=location.id), 303)


@bp.post(
    "/locations/<int(max=2147483647):location_id>/closures/<int(max=2147483647):closure_id>/remove"
)
@preferences_required
def location_closure_remove(location_id: int, closure_id: int) -> Page:
    """Open the location again on a day it was closed."""
    location = _location(location_id)
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired. Please try again.")
    try:
        day = job_settings.remove_closure(
            db.session, location_id=location.id, closure_id=closure_id
        )
    except BookingError as error:
        flash(str(error), "error")
        return _closures_page(location, ClosureForm(formdata=None), error.status_code)
    flash(f"{location.display_name} is open again on {slot_job.day_label(day)}.", "success")
    return redirect(url_for("admin.location_closures", location_id=location.id), 303)
