"""Sent mail: the outbox, a page at a time, each message with its headers and both bodies.

Without MAIL_URL (the demo) every message is kept here instead of being sent, so nothing is lost.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from admin import bp
from admin.views_common import staff_required
from core.models import Location
from core.services import mail
from web.booking_mail import write_booking_mail
from web.clock import now
from web.extensions import db
from web.mail import mail_from, transport

_ID = "<int(max=2147483647):message_id>"
# The HTML body is shown in a sandboxed frame with a policy of its own: mail needs inline styles
# (which the admin's policy forbids, and a srcdoc frame would inherit), and never runs scripts.
PREVIEW_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; "
    "frame-ancestors 'self'"
)


def _studio_timezone() -> str:
    timezone = db.session.scalar(select(Location.timezone).order_by(Location.id).limit(1))
    return timezone or "UTC"


@bp.get("/mail")
@staff_required
def mail_list() -> str:
    """The outbox, newest first, searched by recipient or subject (?q=), a page at a time."""
    query = request.args.get("q", "").strip()
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "admin/mail.html",
        result=mail.outbox_page(db.session, query, page),
        query=query,
        timezone=_studio_timezone(),
        mail_configured=transport() is not None,
    )


@bp.get(f"/mail/{_ID}")
@staff_required
def mail_message(message_id: int) -> str:
    """One message: its headers as sent, the plain text, the HTML rendered and as source. One
    the sender has not written yet is shown as it would be written now (nothing saved)."""
    found = mail.find_message(db.session, message_id)
    row, unwritable = mail.as_written(db.session, found, write_booking_mail)
    return render_template(
        "admin/mail_message.html",
        row=row,
        unwritable=unwritable,
        headers=mail.build_email(row, mail_from()).items(),
        timezone=_studio_timezone(),
        mail_configured=transport() is not None,
    )


@bp.get(f"/mail/{_ID}/preview")
@staff_required
def mail_preview(message_id: int) -> Response:
    """The HTML body alone, for the sandboxed frame on the message page."""
    found = mail.find_message(db.session, message_id)
    row, _ = mail.as_written(db.session, found, write_booking_mail)
    response = Response(row.html_body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response


@bp.post(f"/mail/{_ID}/send-again")
@staff_required
def mail_send_again(message_id: int) -> Response:
    """Queue a failed (or kept) message again, due now."""
    mail.find_message(db.session, message_id)  # a 404 first
    row = mail.send_again(db.session, message_id, now=now(), kept_too=transport() is not None)
    flash(f"The message to {row.to_address} is queued to be sent again.", "success")
    return redirect(url_for("admin.mail_message", message_id=message_id), 303)
