"""What a client can book: one aggregate query per question, never a query per slot."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from core.models import (
    Location,
    Organization,
    Resource,
    ServiceKind,
    ServiceType,
    SlotState,
    TimeSlot,
    slot_service_type,
)
from core.services.organizations import offered_types, slots_visible, visible_slots
from core.services.preferences import kind_preferences
from core.services.read_cache import cached


def earliest_start(session: Session, kind: ServiceKind, now: datetime) -> datetime | None:
    """The first start a client may book online for this kind: now plus the studio's "limit
    to book" notice (Sessions / Appointments tab), or None when there is no limit."""
    minutes = kind_preferences(session, kind).notice_book_minutes
    return now + timedelta(minutes=minutes) if minutes else None


def bookable(
    now: datetime | BindParameter[datetime],
    *,
    not_before: datetime | BindParameter[datetime] | None = None,
) -> ColumnElement[bool]:
    """SQL for 'a client could hold this slot now': future (and not before `not_before`, the
    booking notice), and open or held by an ended hold."""
    return and_(
        TimeSlot.start_at > now,
        TimeSlot.start_at >= (now if not_before is None else not_before),
        or_(
            TimeSlot.state == SlotState.OPEN,
            and_(TimeSlot.state == SlotState.HELD, TimeSlot.held_until <= now),
        ),
    )


def serves(service_type_id: int | BindParameter[int]) -> ColumnElement[bool]:
    """SQL for 'this slot is offered for the type', checked slot by slot on its primary key.

    OFFSET 0 keeps PostgreSQL from turning it into a join that reads every slot the type ever
    had (tens of thousands in a large studio) to answer for the few hundred slots of a month
    or a day: with it, each candidate slot costs one index probe (issue 9, EXPLAIN ANALYZE:
    6.6 ms -> 1.7 ms for a month of the large studio). SQLite checks it per slot anyway.
    """
    return exists(
        select(slot_service_type.c.slot_id)
        .where(
            slot_service_type.c.slot_id == TimeSlot.id,
            slot_service_type.c.service_type_id == service_type_id,
        )
        .offset(0)
    )


def online_service_types(
    session: Session,
    *,
    now: datetime,
    location_id: int | None = None,
    organization: Organization | None = None,
) -> list[ServiceType]:
    """Service types offered online (or, with an organization, the organization's types);
    with a location, those with upcoming slots there offered in that context.

    A fully booked type still shows (its calendar says so); one with no future slot there does not.
    """
    stmt = select(ServiceType).where(offered_types(organization))
    if location_id is not None:
        stmt = stmt.where(
            exists()
            .where(slot_service_type.c.service_type_id == ServiceType.id)
            .where(slot_service_type.c.slot_id == TimeSlot.id)
            .where(TimeSlot.location_id == location_id, TimeSlot.start_at > now)
            .where(TimeSlot.state != SlotState.CLOSED, visible_slots(organization))
        )
    # Sessions before appointments ("session" > "appointment"), then by name.
    return list(session.scalars(stmt.order_by(ServiceType.kind.desc(), ServiceType.online_name)))


def sole_location(session: Session) -> Location | None:
    """The studio's location when it has exactly one (a small table: two rows read at most)."""
    first_two = select(Location).order_by(Location.id).limit(2)
    locations = list(session.scalars(cached(first_two, "first two locations")))
    return locations[0] if len(locations) == 1 else None


def location(session: Session, location_id: int) -> Location | None:
    """The location with this id (the picker names it in each of its requests)."""
    one = select(Location).where(Location.id == location_id)
    return session.scalar(cached(one, "location", location_id))


def locations_offering(
    session: Session,
    service_type_id: int | None,
    now: datetime,
    *,
    not_before: datetime | None = None,
    organization: Organization | None = None,
) -> list[Location]:
    """Locations with upcoming bookable slots (for one service type, or for any) offered in
    the context (the public widget, or an organization's link)."""
    stmt = select(Location).where(
        exists()
        .where(TimeSlot.location_id == Location.id)
        .where(bookable(now, not_before=not_before), visible_slots(organization))
        .where(serves(service_type_id) if service_type_id is not None else TimeSlot.id.isnot(None))
    )
    return list(session.scalars(stmt.order_by(Location.display_name)))


class _Shape(NamedTuple):
    """What changes the SQL of a window's bookable slots (not merely its values)."""

    with_notice: bool
    organization: bool
    include_public: bool


def _shape(not_before: datetime | None, organization: Organization | None) -> _Shape:
    if organization is None:
        return _Shape(not_before is not None, False, False)
    return _Shape(not_before is not None, True, organization.include_public_slots)


@cache
def _bookable_between(shape: _Shape) -> tuple[ColumnElement[bool], ...]:
    """The window's conditions with its values as bound parameters (`_window_values`): built
    once per shape, as building them took a day's request longer than running them (issue 9)."""
    not_before: BindParameter[datetime] | None = None
    organization_id: BindParameter[int] | None = None
    if shape.with_notice:
        not_before = bindparam("not_before")
    if shape.organization:
        organization_id = bindparam("organization_id")
    return (
        TimeSlot.location_id == bindparam("location_id"),
        serves(bindparam("service_type_id")),
        bookable(bindparam("now"), not_before=not_before),
        slots_visible(organization_id, include_public=shape.include_public),
        TimeSlot.start_at >= bindparam("window_start"),
        TimeSlot.start_at < bindparam("window_end"),
    )


def _window_values(
    service_type_id: int,
    location_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    not_before: datetime | None,
    organization: Organization | None,
) -> dict[str, Any]:
    return {
        "location_id": location_id,
        "service_type_id": service_type_id,
        "now": now,
        "not_before": not_before,
        "organization_id": organization.id if organization else None,
        "window_start": start,
        "window_end": end,
    }


@cache
def _starts_between(shape: _Shape) -> Select[datetime]:
    return select(TimeSlot.start_at).where(*_bookable_between(shape)).order_by(TimeSlot.start_at)


@cache
def _times_between(shape: _Shape) -> Select[int, datetime, str]:
    return (
        select(TimeSlot.id, TimeSlot.start_at, Resource.name)
        .join(Resource, Resource.id == TimeSlot.resource_id)
        .where(*_bookable_between(shape))
        .order_by(TimeSlot.start_at, TimeSlot.resource_id)
    )


def bookable_starts(
    session: Session,
    *,
    service_type_id: int,
    location_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    not_before: datetime | None = None,
    organization: Organization | None = None,
) -> list[datetime]:
    """Start instants of the bookable slots in [start, end): enough to mark a month's days."""
    values = _window_values(service_type_id, location_id, start, end, now, not_before, organization)
    return list(session.scalars(_starts_between(_shape(not_before, organization)), values))


class OpenTime(NamedTuple):
    """A bookable slot as the picker shows it: what a client chooses, and the room or
    photographer's name for a start two of them share."""

    id: int
    start_at: datetime
    resource_name: str


def bookable_slots(
    session: Session,
    *,
    service_type_id: int,
    location_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    not_before: datetime | None = None,
    organization: Organization | None = None,
) -> list[OpenTime]:
    """The bookable slots in [start, end) in time order: the three columns the picker shows,
    not whole slots (a day's request spent more on building slot objects than on its query)."""
    values = _window_values(service_type_id, location_id, start, end, now, not_before, organization)
    rows = session.execute(_times_between(_shape(not_before, organization)), values)
    return [OpenTime(slot_id, start_at, name) for slot_id, start_at, name in rows]


def first_bookable_start(
    session: Session,
    *,
    service_type_id: int,
    location_id: int,
    now: datetime,
    not_before: datetime | None = None,
    organization: Organization | None = None,
) -> datetime | None:
    """The earliest bookable start, to open the calendar on a month that has times."""
    stmt = (
        select(TimeSlot.start_at)
        .where(TimeSlot.location_id == location_id, serves(service_type_id))
        .where(bookable(now, not_before=not_before), visible_slots(organization))
        .order_by(TimeSlot.start_at)
        .limit(1)
    )
    return session.scalar(stmt)
