"""Creating time slots, from a local date and wall-clock time at a resource's location."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from core.models import Booking, BookingStatus, Resource, ServiceType, TimeSlot
from core.rules.calendar import local_to_utc
from core.services.errors import BookingError, NotFound
from core.services.organizations import check_slot_organization


class SlotExists(BookingError):
    status_code = 409
    default_message = "This resource already has a time slot at exactly that time."


class InvalidSlot(BookingError):
    status_code = 400


def build_slot(
    resource: Resource,
    day: date,
    start: time,
    duration_minutes: int,
    service_types: Sequence[ServiceType],
) -> TimeSlot:
    """An unsaved open slot on `resource` at local `day` `start`. Raises InvalidSlot."""
    if duration_minutes <= 0:
        raise InvalidSlot("The duration must be at least one minute.")
    if not service_types:
        raise InvalidSlot("Choose at least one session or appointment type for this slot.")
    try:
        start_at = local_to_utc(day, start, ZoneInfo(resource.location.timezone))
    except ValueError as error:
        raise InvalidSlot(str(error)) from None
    return TimeSlot(
        start_at=start_at,
        end_at=start_at + timedelta(minutes=duration_minutes),
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
) -> TimeSlot:
    """Create one open slot, public or an organization's. Raises NotFound, InvalidSlot,
    InvalidOrganization (the organization offers none of the types) or SlotExists."""
    resource = session.scalar(
        select(Resource).options(joinedload(Resource.location)).where(Resource.id == resource_id)
    )
    if resource is None:
        raise NotFound("That resource does not exist.")
    types = list(session.scalars(select(ServiceType).where(ServiceType.id.in_(service_type_ids))))
    if len(types) != len(set(service_type_ids)):
        raise NotFound("One of the chosen session types does not exist.")
    check_slot_organization(session, organization_id, list(service_type_ids))
    slot = build_slot(resource, day, start, duration_minutes, types)
    slot.organization_id = organization_id
    session.add(slot)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise SlotExists() from None
    return slot


def slots_between(
    session: Session, *, location_id: int, start: datetime, end: datetime
) -> list[tuple[TimeSlot, Booking | None]]:
    """Every slot of a location starting in [start, end) with its live booking, in time order."""
    stmt = (
        select(TimeSlot, Booking)
        .outerjoin(
            Booking, (Booking.slot_id == TimeSlot.id) & (Booking.status == BookingStatus.BOOKED)
        )
        .options(joinedload(TimeSlot.resource), joinedload(TimeSlot.service_types))
        .options(joinedload(Booking.client))
        .where(TimeSlot.location_id == location_id)
        .where(TimeSlot.start_at >= start, TimeSlot.start_at < end)
        .order_by(TimeSlot.start_at, TimeSlot.resource_id)
    )
    return [(slot, booking) for slot, booking in session.execute(stmt).unique()]
