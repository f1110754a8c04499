"""Notice settings (issue 7): which notices a staff member gets on the home screen and which also
by email. Everyone sets their own; administrators may set anyone's from the Staff page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from admin import bp
from admin.views_common import staff_required
from admin.views_staff import administrator_required
from core.models import Staff
from core.services import notice_settings
from core.services import staff as staff_service
from core.services.notice_settings import Choice
from web.auth import current_staff
from web.extensions import db


def _page(member: Staff, mine: bool) -> str:
    return render_template(
        "admin/notice_settings.html",
        member=member,
        mine=mine,
        kinds=notice_settings.KINDS,
        choices=notice_settings.settings_for(db.session, member.id),
    )


def _save(member: Staff, mine: bool) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired. Please try again.")
    choices = {
        kind: Choice(
            on_screen=f"{kind.value}-screen" in request.form,
            by_email=f"{kind.value}-email" in request.form,
        )
        for kind in notice_settings.KINDS
    }
    notice_settings.save_settings(db.session, member.id, choices)
    flash(
        "Your notice settings are saved."
        if mine
        else f"{member.name}’s notice settings are saved.",
        "success",
    )
    if mine:
        return redirect(url_for("admin.my_notice_settings"), 303)
    return redirect(url_for("admin.staff_notice_settings", staff_id=member.id), 303)


@bp.route("/notices/settings", methods=["GET", "POST"])
@staff_required
def my_notice_settings() -> Response | str:
    """My notices: on the home screen, by email too, per kind."""
    me = current_staff()
    if me is None:  # staff_required has let only staff in
        abort(403)
    return _save(me, True) if request.method == "POST" else _page(me, True)


@bp.route("/staff/<int(max=2147483647):staff_id>/notices", methods=["GET", "POST"])
@administrator_required
def staff_notice_settings(staff_id: int) -> Response | str:
    """Another staff member's notices (administrators)."""
    member = staff_service.find_staff(db.session, staff_id)
    mine = member.id == getattr(current_staff(), "id", None)
    return _save(member, mine) if request.method == "POST" else _page(member, mine)
