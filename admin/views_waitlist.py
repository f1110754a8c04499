"""The waiting lists (issue 7): who waits for a time on a day, per location and type."""

from __future__ import annotations

from flask import render_template, request

from admin import bp
from admin.views_common import day_argument, slot_access_required
from core.models import SlotAccess
from core.services import catalog, waitlist
from core.services.slot_job import studio_today
from web.clock import now
from web.extensions import db
from web.form_input import row_id


@bp.get("/slots/waitlist")
@slot_access_required(SlotAccess.MODIFY_OVERRIDABLE)
def waitlist_page() -> str:
    """One day's waiting lists (client, joined, mailed, status), or the days clients wait for."""
    day = day_argument("day")
    type_id = request.args.get("type", type=row_id)
    service_types = catalog.all_service_types(db.session)
    if day is None:
        upcoming = waitlist.waiting_days(db.session, from_day=studio_today(db.session, now()))
        return render_template(
            "admin/waitlist.html", day=None, upcoming=upcoming, service_types=service_types
        )
    entries = waitlist.entries_for_day(db.session, day=day, service_type_id=type_id)
    return render_template(
        "admin/waitlist.html",
        day=day,
        type_id=type_id,
        entries=entries,
        service_types=service_types,
    )
