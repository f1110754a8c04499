"""The Time Slots tab of the online booking preferences (the weekly job's settings and its last
runs) and the days each location is closed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import Location, LocationClosure, OnlinePreferences, SlotJobRun, Staff
from core.services.errors import BookingError, NotFound
from core.services.preferences import online_preferences
from core.services.settings import InvalidPreference
from core.services.slot_copy import monday_of
from core.services.slot_job import day_label, week_label

EMAIL_MAX_LENGTH = 254
REASON_MAX_LENGTH = 200
_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\".]+(\.[^@\s,;<>\".]+)+")


@dataclass(frozen=True)
class SlotJobSettings:
    enabled: bool
    source_week: date | None  # any day of it
    first_week: date | None
    weekday: int  # 0 = Monday
    skip_booked: bool
    skip_closed: bool
    notify_staff_id: int | None
    email: str


def update_slot_job(session: Session, settings: SlotJobSettings) -> OnlinePreferences:
    """Save the Time Slots tab and commit; weeks are kept as their Mondays. Raises
    InvalidPreference: a missing week when enabled, a first week not after the source week, a
    staff member who is not active, an email that is not one address."""
    prefs = online_preferences(session)
    source = monday_of(settings.source_week) if settings.source_week else None
    first = monday_of(settings.first_week) if settings.first_week else None
    if settings.enabled and source is None:
        raise InvalidPreference("Choose the source week to copy.", field="source_week")
    if settings.enabled and first is None:
        raise InvalidPreference("Choose the first week to fill.", field="first_week")
    if source is not None and first is not None and first <= source:
        raise InvalidPreference(
            f"The first week to fill must come after the source week ({week_label(source)}).",
            field="first_week",
        )
    if settings.weekday not in range(7):
        raise InvalidPreference("Choose a day of the week.", field="weekday")
    staff_id = settings.notify_staff_id
    if staff_id is not None and staff_id != prefs.slot_job_notify_staff_id:
        staff = session.get(Staff, staff_id)
        if staff is None or not staff.active:
            raise InvalidPreference("Choose an active staff member.", field="notify_staff_id")
    email = settings.email.strip()
    if email and (len(email) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(email)):
        raise InvalidPreference("Enter one email address, like name@example.com.", field="email")
    prefs.slot_job_enabled = settings.enabled
    prefs.slot_job_source_week = source
    prefs.slot_job_first_week = first
    prefs.slot_job_weekday = settings.weekday
    prefs.slot_job_skip_booked = settings.skip_booked
    prefs.slot_job_skip_closed = settings.skip_closed
    prefs.slot_job_notify_staff_id = staff_id
    prefs.slot_job_email = email
    session.add(prefs)
    session.commit()
    return prefs


def last_runs(session: Session, limit: int = 10) -> list[SlotJobRun]:
    """The job's latest runs, the newest first."""
    stmt = select(SlotJobRun).order_by(SlotJobRun.ran_at.desc(), SlotJobRun.id.desc())
    return list(session.scalars(stmt.limit(limit)))


# Closures


class InvalidClosure(BookingError):
    status_code = 400


def closures(session: Session, location_id: int, *, since: date) -> list[LocationClosure]:
    """The location's closed days from `since` on, soonest first."""
    stmt = select(LocationClosure).where(
        LocationClosure.location_id == location_id, LocationClosure.day >= since
    )
    return list(session.scalars(stmt.order_by(LocationClosure.day)))


def add_closure(
    session: Session, *, location_id: int, day: date, reason: str, today: date
) -> LocationClosure:
    """Close the location on `day` and commit. Raises NotFound, InvalidClosure (a past day, a
    reason too long, or a day already closed: the unique constraint decides)."""
    location = session.get(Location, location_id)
    if location is None:
        raise NotFound("That location does not exist.")
    if day < today:
        raise InvalidClosure("That day has passed; choose today or a later day.")
    reason = " ".join(reason.split())
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidClosure(f"Keep the reason under {REASON_MAX_LENGTH} characters.")
    closure = LocationClosure(location_id=location.id, day=day, reason=reason)
    session.add(closure)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidClosure(
            f"{location.display_name} is already closed on {day_label(day)}."
        ) from None
    return closure


def remove_closure(session: Session, *, location_id: int, closure_id: int) -> date:
    """Open the location again on a closed day and commit; returns the day. Raises NotFound."""
    closure = session.scalar(
        select(LocationClosure).where(
            LocationClosure.id == closure_id, LocationClosure.location_id == location_id
        )
    )
    if closure is None:
        raise NotFound("That closed day does not exist (it may have been removed already).")
    day = closure.day
    session.delete(closure)
    session.commit()
    return day


def upcoming_closure_counts(session: Session, *, since: date) -> dict[int, int]:
    """Closed days from `since` on, by location id (one query)."""
    rows = session.execute(
        select(LocationClosure.location_id, func.count(LocationClosure.id))
        .where(LocationClosure.day >= since)
        .group_by(LocationClosure.location_id)
    )
    return dict(rows.all())
