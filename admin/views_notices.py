"""The notices on a staff member's admin home screen: marking one or all of them read."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from admin import bp
from admin.views_common import staff_required
from core.services import notices
from core.services.errors import NotFound
from core.services.slot_job import studio_timezone
from web.auth import current_staff
from web.clock import now
from web.extensions import db


def home_notices() -> dict[str, Any]:
    """What the home screen shows of my notices: the unread ones and the studio's timezone."""
    staff = current_staff()
    return {
        "inbox": notices.inbox(db.session, staff.id) if staff else None,
        "timezone": studio_timezone(db.session).key,
    }


def _staff_id() -> int:
    staff = current_staff()
    if staff is None:  # staff_required has let only staff in
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired. Please try again.")
    return staff.id


@bp.post("/notices/<int(max=2147483647):notice_id>/read")
@staff_required
def notice_read(notice_id: int) -> Response:
    """Mark one of my notices read; it leaves the home screen."""
    try:
        notices.mark_read(db.session, staff_id=_staff_id(), notice_id=notice_id, now=now())
    except NotFound as error:
        abort(404, str(error))
    return redirect(url_for("admin.home"), 303)


@bp.post("/notices/read")
@staff_required
def notices_read_all() -> Response:
    """Mark all my notices read."""
    count = notices.mark_all_read(db.session, staff_id=_staff_id(), now=now())
    flash(f"{count} notice{'' if count == 1 else 's'} marked read.", "success")
    return redirect(url_for("admin.home"), 303)
