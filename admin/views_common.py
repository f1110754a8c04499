"""What every admin view shares: the staff guard, error mapping, and how money and times read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from babel.dates import (
    format_interval,
    format_skeleton,
    format_time,
    get_timezone_name,
)
from flask import abort, request
from flask_wtf import FlaskForm
from wtforms import Field

from admin import bp
from core.models import SlotAccess
from core.rules.embedding import describe_attribution
from core.services import access
from core.services.errors import BookingError
from web import formatting
from web.auth import current_staff, login_required_as
from web.formatting import studio

staff_required = login_required_as("staff", "admin.login")

F = TypeVar("F", bound=Callable[..., Any])

_SLOT_REFUSALS = {
    SlotAccess.MODIFY_OVERRIDABLE: "Your account has no access to time slots.",
    SlotAccess.CREATE: "Your account cannot create time slots.",
    SlotAccess.FULL: "Your account cannot change this time slot: it needs full access.",
}


def slot_access_required(level: SlotAccess) -> Callable[[F], F]:
    """Staff only, and only with at least `level` of "Scheduling Time Slots" (403 otherwise).
    A slot that is not overridable needs FULL to change: check it with `may_change_slot`."""

    def decorator(view: F) -> F:
        @staff_required
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            staff = current_staff()
            if staff is None or staff.slot_access < level:
                abort(403, _SLOT_REFUSALS[level])
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def require_slot_change(overridable: bool) -> None:
    """403 unless the staff member may edit, move or delete a slot with this flag."""
    staff = current_staff()
    if staff is None or not access.may_change_slot(staff.slot_access, overridable):
        abort(403, _SLOT_REFUSALS[SlotAccess.FULL])


def day_argument(name: str) -> date | None:
    """The day in ?<name>=YYYY-MM-DD, None when absent; 400 for anything else."""
    text = request.args.get(name)
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2999:
        abort(400, f"“{text}” is not a date we can show. Use YYYY-MM-DD, for example 2026-07-13.")
    return day


def show_error(form: FlaskForm, error: BookingError, field: Field | None = None) -> int:
    """Put a core failure's message next to `field` (or atop the form); returns its status."""
    (field.errors if field is not None else form.form_errors).append(str(error))
    return error.status_code


def money(cents: int | None) -> str:
    """'$125.50' in the studio's currency and locale; a dash when there is no amount."""
    return "—" if cents is None else formatting.money(cents)


def time_at(instant: datetime, timezone: str) -> str:
    """'10:00 AM EDT': the wall-clock time at a location, with the zone's abbreviation."""
    tz = ZoneInfo(timezone)
    clock = format_time(instant, "short", tzinfo=tz, locale=studio().locale)
    return f"{clock} {instant.astimezone(tz).strftime('%Z')}"


day_name = formatting.local_date


def date_range(first: date, last: date) -> str:
    """'Jul 13 – 19, 2026': two local days as one short range."""
    return format_interval(first, last, "yMMMd", locale=studio().locale)


def moment(instant: datetime, timezone: str) -> str:
    """'Wed, Jul 15, 2026, 10:00 AM EDT': a day and time at a location, for lists and messages."""
    tz = ZoneInfo(timezone)
    day = format_skeleton("yMMMEd", instant.astimezone(tz), locale=studio().locale)
    return f"{day}, {time_at(instant, timezone)}"


def timezone_name(timezone: str) -> str:
    """'Eastern Time (America/New_York)': the zone as people say it, and its IANA name."""
    return f"{get_timezone_name(ZoneInfo(timezone), locale=studio().locale)} ({timezone})"


@bp.context_processor
def admin_helpers() -> dict[str, Any]:
    return {
        "money": money,
        "time_at": time_at,
        "day_name": day_name,
        "moment": moment,
        "date_range": date_range,
        "timezone_name": timezone_name,
        "came_from": describe_attribution,
        "staff_member": current_staff(),
    }
