"""Mail wording (issue 7): the studio's subject and text of each mail it sends, to clients and to
staff, edited with a preview on a made-up booking, checked on save, and reset to the built-in
wording. Staff with full access to the online booking preferences only."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.units import format_unit
from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from jinja2 import TemplateError
from markupsafe import escape
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField

from admin import bp
from admin.views_mail import PREVIEW_CSP
from admin.views_preferences import preferences_required
from core.models import Location, ServiceType
from core.services import booking_notices, slot_job
from core.services.errors import InvalidDetails
from core.services.mail import templates
from web.auth import current_staff
from web.clock import now
from web.extensions import db
from web.formatting import local_date, local_time, money, studio, timezone_label
from web.htmx import is_htmx
from web.mail_wording import button_for, html_body

_KIND = "<any({}):kind>".format(", ".join(f'"{k}"' for k in templates.KINDS))


class WordingForm(FlaskForm):
    """Parses the two fields; core.services.mail.templates checks them."""

    subject = StringField("Subject")
    body = TextAreaField("Text")


def _notice_sample(kind: str, start: datetime, tz: str, service: str) -> dict[str, str]:
    """A made-up notice for the staff mails: the weekly job's run, or a cancellation."""
    if kind == slot_job.MAIL_KIND:
        monday = start.date() + timedelta(days=7 - start.weekday())
        job = slot_job.JobResult(
            slot_job.Outcome.DONE,
            f"Created 12 time slots for the week of {slot_job.week_label(monday)} (0 skipped).",
            week=monday,
            source_week=monday - timedelta(days=7),
            created=12,
        )
        return {"title": slot_job.title(job), "details": slot_job.report(job)}
    when = booking_notices.when(start, tz, studio().locale)
    return {
        "title": f"Booking cancelled: Alex Rivera, {service}, {when}",
        "details": "Cancelled by the client. The time is open for booking again.",
    }


def sample_values(kind: str) -> dict[str, Any]:
    """A made-up booking next week at 10:00 in the studio's first location, for the preview
    (sent to the staff member looking, for the staff mails)."""
    location = db.session.scalar(select(Location).order_by(Location.id).limit(1))
    tz = location.timezone if location else "UTC"
    service = db.session.scalar(
        select(ServiceType.online_name).where(ServiceType.online.is_(True)).order_by(ServiceType.id)
    )
    day = now().astimezone(ZoneInfo(tz)).date() + timedelta(days=7)
    start = datetime.combine(day, time(10), tzinfo=ZoneInfo(tz))
    before = start - timedelta(days=2)

    def at(instant: datetime) -> str:
        return f"{local_time(instant, tz)} {instant.strftime('%Z')}"

    staff = current_staff()
    service_name = service or "Family Portrait Session"
    return {
        "client_name": "Alex Rivera",
        "studio_name": studio().name,
        "service_type": service_name,
        "date": local_date(start, tz),
        "time": at(start),
        "timezone": timezone_label(tz),
        "duration": format_unit(60, "duration-minute", length="long", locale=studio().locale),
        "location": location.display_name if location else "Main studio",
        "address": location.address if location else "1 Main Street",
        "reference": "SAMPLE7K2Q",
        "manage_link": url_for("widget.my_bookings", _external=True),
        "previous_date": local_date(before, tz),
        "previous_time": at(before),
        "amount": money(15000),
        "method": "Visa ending 4242",
        "invoice_number": "INV-000012",
        "balance": money(0),
        "hold_link": url_for("widget.my_bookings", _external=True) + "?sample-hold",
        "hold_minutes": 15,
        "email": "alex@example.com",
        "reset_link": url_for("widget.password_reset", token="sample", _external=True),
        "minutes": 60,
        "staff_name": staff.name if staff else "Dana",
        "admin_link": url_for("admin.bookings", _external=True),
        **_notice_sample(kind, start, tz, service_name),
    }


def _preview(kind: str, subject: str, body: str) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The filled-in subject, text and HTML of this wording, or messages per field."""
    errors = templates.validate(kind, subject, body)
    if errors:
        return None, errors
    try:
        values = sample_values(kind)
        filled_subject, text = templates.fill(kind, subject, body, values)
    except TemplateError as error:  # parses, but cannot be filled (a filter that does not exist)
        return None, {"body": f"This cannot be filled in: {error}."}
    html = html_body(filled_subject, text, button_for(kind, values))
    return {"subject": filled_subject, "text": text, "html": html}, {}


def _editor(
    kind: str,
    form: WordingForm,
    *,
    preview: dict[str, Any] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The edit page, or only its editor (form and preview) for htmx."""
    _, _, edited = templates.wording(db.session, kind)
    name = "admin/_mail_template_editor.html" if is_htmx() else "admin/mail_template.html"
    return render_template(
        name, kind=kind, about=templates.KINDS[kind], form=form, preview=preview, edited=edited
    ), status


def _show_errors(form: WordingForm, errors: dict[str, str]) -> int:
    for name, message in errors.items():
        form[name].errors = [*form[name].errors, message]
    return 400


def _checked_form() -> WordingForm:
    form = WordingForm()
    if not form.validate_on_submit():
        abort(400, "The form expired. Please try again.")
    return form


@bp.get("/mail/wording")
@preferences_required
def mail_templates() -> str:
    """Every mail the studio sends, to clients and to staff: what it is, when it is sent, and
    whether the studio edited it."""
    groups = [
        (title, {name: kind for name, kind in templates.KINDS.items() if kind.to_staff is staff})
        for title, staff in (("Mails to clients", False), ("Mails to staff", True))
    ]
    return render_template(
        "admin/mail_templates.html", groups=groups, edited=templates.edited_kinds(db.session)
    )


@bp.get(f"/mail/wording/{_KIND}")
@preferences_required
def mail_template(kind: str) -> tuple[str, int]:
    """One mail's wording to edit, with its placeholders."""
    subject, body, _ = templates.wording(db.session, kind)
    return _editor(kind, WordingForm(data={"subject": subject, "body": body}))


@bp.post(f"/mail/wording/{_KIND}")
@preferences_required
def save_mail_template(kind: str) -> Response | tuple[str, int]:
    """Save the wording; a field that cannot be used says why, and nothing is saved."""
    form = _checked_form()
    staff = current_staff()
    try:
        templates.save(
            db.session,
            kind,
            subject=form.subject.data or "",
            body=form.body.data or "",
            staff_id=staff.id if staff else None,
            now=now(),
        )
    except InvalidDetails as error:
        db.session.rollback()
        return _editor(kind, form, status=_show_errors(form, error.errors))
    flash(f"The wording of “{templates.KINDS[kind].label}” is saved.", "success")
    return redirect(url_for("admin.mail_template", kind=kind), 303)


@bp.post(f"/mail/wording/{_KIND}/preview")
@preferences_required
def preview_mail_template(kind: str) -> tuple[str, int]:
    """The wording as typed (saved or not) filled in for a made-up booking."""
    form = _checked_form()
    preview, errors = _preview(kind, form.subject.data or "", form.body.data or "")
    return _editor(
        kind, form, preview=preview, status=_show_errors(form, errors) if errors else 200
    )


@bp.post(f"/mail/wording/{_KIND}/preview/html")
@preferences_required
def preview_mail_template_html(kind: str) -> Response:
    """The HTML version alone, for the sandboxed frame of the preview."""
    form = _checked_form()
    preview, errors = _preview(kind, form.subject.data or "", form.body.data or "")
    html = (
        preview["html"]
        if preview
        else f"<p>Fix the wording first. {escape(' '.join(errors.values()))}</p>"
    )
    response = Response(html, status=200 if preview else 400, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response


@bp.post(f"/mail/wording/{_KIND}/reset")
@preferences_required
def reset_mail_template(kind: str) -> Response:
    """Back to the built-in wording."""
    _checked_form()
    templates.reset(db.session, kind)
    flash(f"“{templates.KINDS[kind].label}” uses the built-in wording again.", "success")
    return redirect(url_for("admin.mail_template", kind=kind), 303)
