"""Time slots from a local date and wall-clock time at a resource's location: creating them one
at a time, and staff editing, moving, closing and deleting them on the calendar.

A slot a client has (booked, or held by a hold still running) is never changed here: each change
is one conditional UPDATE or DELETE whose WHERE says the slot is free, so a hold that lands at the
same moment either comes first (and the change is refused) or waits for it. An identical slot
(same resource, start and end) is refused by the unique constraint, not by a check made earlier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, delete, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from core.models import (
    MAX_SLOT_MINUTES,
    Booking,
    BookingStatus,
    Payment,
    Resource,
    ServiceType,
    SlotState,
    TimeSlot,
    slot_service_type,
)
from core.rules.calendar import local_to_utc
from core.services.errors import BookingError, NotFound
from core.services.organizations import check_slot_organization
from core.services.waitlist import WaitlistMail, slot_opened
from core.services.waitlist_openings import offered, slot_changed


class SlotExists(BookingError):
    status_code = 409
    default_message = "This resource already has a time slot at exactly that time."


class InvalidSlot(BookingError):
    status_code = 400


class SlotInUse(BookingError):
    """A client has the slot: it is booked, or held while someone books it."""

    status_code = 409
    default_message = "This time slot has a booking: reschedule the booking instead."


HELD_MESSAGE = (
    "A client is booking this time slot right now. Try again in a few minutes, once they have "
    "booked it or let it go."
)


class SlotHasHistory(BookingError):
    status_code = 409
    default_message = (
        "This time slot was booked before (the booking was cancelled or moved), so it stays for "
        "that booking's history. Close it instead: clients will not see it."
    )


def _times(
    resource: Resource, day: date, start: time, duration_minutes: int
) -> tuple[datetime, datetime]:
    """The UTC start and end of `duration_minutes` from local `day` `start` at the resource's
    location. Raises InvalidSlot (no duration; a time the clocks skip)."""
    if duration_minutes <= 0:
        raise InvalidSlot("The duration must be at least one minute.")
    if duration_minutes > MAX_SLOT_MINUTES:
        raise InvalidSlot(f"A slot lasts at most {MAX_SLOT_MINUTES} minutes (24 hours).")
    try:
        start_at = local_to_utc(day, start, ZoneInfo(resource.location.timezone))
    except ValueError as error:
        raise InvalidSlot(str(error)) from None
    return start_at, start_at + timedelta(minutes=duration_minutes)


def build_slot(
    resource: Resource,
    day: date,
    start: time,
    duration_minutes: int,
    service_types: Sequence[ServiceType],
) -> TimeSlot:
    """An unsaved open slot on `resource` at local `day` `start`. Raises InvalidSlot."""
    start_at, end_at = _times(resource, day, start, duration_minutes)
    if not service_types:
        raise InvalidSlot("Choose at least one session or appointment type for this slot.")
    return TimeSlot(
        start_at=start_at,
        end_at=end_at,
        resource=resource,
        location=resource.location,
        service_types=list(service_types),
    )


def create_slot(
    session: Session,
    *,
    resource_id: int,
    day: date,
    start: time,
    duration_minutes: int,
    service_type_ids: Sequence[int],
    organization_id: int | None = None,
    overridable: bool = False,
    waitlist: WaitlistMail | None = None,
    now: datetime | None = None,
) -> TimeSlot:
    """Create one open slot, public or an organization's; with `waitlist` and `now`, clients
    waiting for its day hear of it. Raises NotFound, InvalidSlot, InvalidOrganization (the
    organization offers none of the types) or SlotExists."""
    resource = _resource(session, resource_id)
    types = _service_types(session, service_type_ids)
    check_slot_organization(session, organization_id, list(service_type_ids))
    slot = build_slot(resource, day, start, duration_minutes, types)
    slot.organization_id = organization_id
    slot.overridable = overridable
    session.add(slot)
    try:
        if waitlist is not None and now is not None:
            session.flush()
            slot_opened(session, slot, now, waitlist)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise SlotExists() from None
    return slot


def _resource(session: Session, resource_id: int) -> Resource:
    resource = session.scalar(
        select(Resource).options(joinedload(Resource.location)).where(Resource.id == resource_id)
    )
    if resource is None:
        raise NotFound("That resource does not exist.")
    return resource


def _service_types(session: Session, service_type_ids: Sequence[int]) -> list[ServiceType]:
    types = list(session.scalars(select(ServiceType).where(ServiceType.id.in_(service_type_ids))))
    if len(types) != len(set(service_type_ids)):
        raise NotFound("One of the chosen session types does not exist.")
    return types


GONE = "That time slot no longer exists: it was deleted in the meantime."


def _free(now: datetime) -> ColumnElement[bool]:
    """No client has the slot: not booked, and not held by a hold still running."""
    return or_(
        TimeSlot.state.not_in([SlotState.BOOKED, SlotState.HELD]),
        and_(TimeSlot.state == SlotState.HELD, TimeSlot.held_until <= now),
    )


def _refusal(session: Session, slot_id: int, now: datetime) -> BookingError | None:
    """Why a change that had to find the slot free did not: it is gone, or a client has it;
    None when it is there and free. Rolls the change back first."""
    session.rollback()
    slot = session.get(TimeSlot, slot_id)
    if slot is None:
        return NotFound(GONE)
    if slot.state is SlotState.BOOKED:
        return SlotInUse()
    if slot.state is SlotState.HELD and slot.held_until is not None and slot.held_until > now:
        return SlotInUse(HELD_MESSAGE)
    return None


def _change(session: Session, slot_id: int, now: datetime, **values: object) -> None:
    """Set `values` on the slot if no client has it. Raises NotFound, SlotInUse or
    SlotExists."""
    try:
        result = session.execute(
            update(TimeSlot)
            .where(TimeSlot.id == slot_id, _free(now))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    except IntegrityError:
        session.rollback()
        raise SlotExists() from None
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _refusal(session, slot_id, now) or SlotInUse()


def _saved(session: Session, slot_id: int) -> TimeSlot:
    """Commit, then the slot as stored. Raises SlotExists (the unique constraint)."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise SlotExists() from None
    slot = session.get(TimeSlot, slot_id, populate_existing=True)
    assert slot is not None
    return slot


@dataclass(frozen=True)
class SlotDetails:
    """Everything staff set on a slot: a local day and time at the resource's location."""

    resource_id: int
    day: date
    start: time
    duration_minutes: int
    service_type_ids: Sequence[int]
    organization_id: int | None = None
    overridable: bool = False


def update_slot(
    session: Session,
    slot_id: int,
    details: SlotDetails,
    *,
    now: datetime,
    waitlist: WaitlistMail | None = None,
) -> TimeSlot:
    """Change a free slot's time, duration, resource, types, organization and overridable flag;
    with `waitlist`, clients waiting for what it offers anew (another day, location, type, or
    public now) hear of it. Returns the slot. Raises NotFound, InvalidSlot, InvalidOrganization,
    SlotInUse (a client has it: reschedule the booking instead) or SlotExists."""
    resource = _resource(session, details.resource_id)
    types = _service_types(session, details.service_type_ids)
    if not types:
        raise InvalidSlot("Choose at least one session or appointment type for this slot.")
    check_slot_organization(session, details.organization_id, [t.id for t in types])
    start_at, end_at = _times(resource, details.day, details.start, details.duration_minutes)
    before = offered(session, slot_id, now) if waitlist is not None else None
    _change(
        session,
        slot_id,
        now,
        start_at=start_at,
        end_at=end_at,
        resource_id=resource.id,
        location_id=resource.location_id,
        organization_id=details.organization_id,
        overridable=details.overridable,
    )
    session.execute(delete(slot_service_type).where(slot_service_type.c.slot_id == slot_id))
    session.execute(
        insert(slot_service_type),
        [{"slot_id": slot_id, "service_type_id": t.id} for t in types],
    )
    if waitlist is not None:
        slot_changed(session, slot_id, before, now, waitlist)
    return _saved(session, slot_id)


def move_slot(
    session: Session,
    slot_id: int,
    *,
    day: date,
    start: time,
    now: datetime,
    waitlist: WaitlistMail | None = None,
) -> TimeSlot:
    """Move a free slot to local `day` `start` on its resource, keeping its duration; with
    `waitlist`, clients waiting for the day it lands on hear of it. Returns the slot. Raises
    NotFound, InvalidSlot, SlotInUse or SlotExists."""
    slot = session.scalar(
        select(TimeSlot)
        .options(joinedload(TimeSlot.resource).joinedload(Resource.location))
        .where(TimeSlot.id == slot_id)
    )
    if slot is None:
        raise NotFound(GONE)
    minutes = int((slot.end_at - slot.start_at).total_seconds() // 60)
    start_at, end_at = _times(slot.resource, day, start, minutes)
    before = offered(session, slot_id, now) if waitlist is not None else None
    _change(session, slot_id, now, start_at=start_at, end_at=end_at)
    if waitlist is not None:
        slot_changed(session, slot_id, before, now, waitlist)
    return _saved(session, slot_id)


def close_slot(session: Session, slot_id: int, *, now: datetime) -> TimeSlot:
    """Close a free slot, so clients no longer see it (a hidden one stays closed when the
    booking that hid it is cancelled). Returns the slot. Raises NotFound or SlotInUse."""
    _change(
        session,
        slot_id,
        now,
        state=SlotState.CLOSED,
        hold_token=None,
        held_until=None,
        hidden_by_booking_id=None,
    )
    return _saved(session, slot_id)


def reopen_slot(
    session: Session,
    slot_id: int,
    *,
    waitlist: WaitlistMail | None = None,
    now: datetime | None = None,
) -> TimeSlot:
    """Open a closed slot again (with `waitlist` and `now`, clients waiting for its day hear
    of it); any other slot is left as it is. Returns the slot. Raises NotFound."""
    result = session.execute(
        update(TimeSlot)
        .where(TimeSlot.id == slot_id, TimeSlot.state == SlotState.CLOSED)
        .values(state=SlotState.OPEN)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1 and session.get(TimeSlot, slot_id) is None:  # type: ignore[attr-defined]
        raise NotFound(GONE)
    if result.rowcount == 1 and waitlist is not None and now is not None:  # type: ignore[attr-defined]
        slot_opened(session, session.get_one(TimeSlot, slot_id), now, waitlist)
    return _saved(session, slot_id)


def delete_slot(session: Session, slot_id: int, *, now: datetime) -> None:
    """Delete a free slot that was never booked. Raises NotFound, SlotInUse or SlotHasHistory
    (a cancelled or moved booking, or a payment attempt, still points at it: close it)."""
    booked_before = exists().where(Booking.slot_id == TimeSlot.id)
    paid_for = exists().where(Payment.slot_id == TimeSlot.id)
    result = session.execute(
        delete(TimeSlot)
        .where(TimeSlot.id == slot_id, _free(now), ~booked_before, ~paid_for)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _refusal(session, slot_id, now) or SlotHasHistory()
    # SQLite enforces no foreign keys here, so the cascade is spelt out.
    session.execute(delete(slot_service_type).where(slot_service_type.c.slot_id == slot_id))
    session.commit()


def _with_bookings() -> Select[TimeSlot, Booking]:
    return (
        select(TimeSlot, Booking)
        .outerjoin(
            Booking, (Booking.slot_id == TimeSlot.id) & (Booking.status == BookingStatus.BOOKED)
        )
        .options(joinedload(TimeSlot.resource), joinedload(TimeSlot.service_types))
        .options(joinedload(Booking.client))
    )


def slots_between(
    session: Session,
    *,
    location_id: int,
    start: datetime,
    end: datetime,
    resource_id: int | None = None,
) -> list[tuple[TimeSlot, Booking | None]]:
    """Every slot of a location (or of one of its resources) starting in [start, end) with its
    live booking, in time order."""
    stmt = (
        _with_bookings()
        .where(TimeSlot.location_id == location_id)
        .where(TimeSlot.start_at >= start, TimeSlot.start_at < end)
        .order_by(TimeSlot.start_at, TimeSlot.resource_id)
    )
    if resource_id is not None:
        stmt = stmt.where(TimeSlot.resource_id == resource_id)
    return [(slot, booking) for slot, booking in session.execute(stmt).unique()]


def find_slot(session: Session, slot_id: int) -> tuple[TimeSlot, Booking | None]:
    """One slot with its resource, location, types and live booking. Raises NotFound."""
    stmt = _with_bookings().options(joinedload(TimeSlot.location)).where(TimeSlot.id == slot_id)
    found = session.execute(stmt).unique().first()
    if found is None:
        raise NotFound(GONE)
    return found[0], found[1]
