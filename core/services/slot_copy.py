"""Creating many time slots at once (seed 001, "Bulk Create/Copy Tool" and the weekly job).

Every way in makes a `Plan`: the slots it would create and the ones it skips, each with the
reason, so staff see a preview before anything is written. `create_planned` then inserts the
creatable ones in bulk. An identical slot (same resource, start and end) created meanwhile, by
another run or another host, is skipped by the database's unique constraint, not by a check
made earlier: running the same copy twice creates nothing twice.

Times are copied as local wall-clock times at the slot's location, so a 10:00 slot copied across
a daylight saving change is still at 10:00.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.dml import ReturningInsert

from core.models import (
    Booking,
    BookingStatus,
    Location,
    LocationClosure,
    Resource,
    ServiceType,
    SlotState,
    TimeSlot,
    slot_service_type,
)
from core.rules.calendar import local_to_utc
from core.services.errors import BookingError, NotFound
from core.services.waitlist import Opening, WaitlistMail, slots_opened

MAX_WEEKS = 104  # two years of target weeks at once
MAX_SLOTS = 20_000  # slots one plan may create


class InvalidCopy(BookingError):
    status_code = 400


# Why a slot is not created; the preview groups skips by these.
EXISTS = "A slot already exists at that time"
BOOKED = "A session or appointment is already booked then"
CLOSED = "The location is closed that day"
PAST = "The time has passed"
NO_SUCH_TIME = "That time does not exist that day (clocks go forward)"


@dataclass(frozen=True)
class NewSlot:
    resource_id: int
    location_id: int
    day: date  # local, at the location
    start: time  # local wall-clock time
    start_at: datetime  # UTC
    end_at: datetime
    service_type_ids: tuple[int, ...]
    organization_id: int | None = None
    overridable: bool = False
    real_time: bool = True  # False: the wall-clock time does not exist that day (DST gap)


@dataclass
class Plan:
    create: list[NewSlot] = field(default_factory=list)
    skip: list[tuple[NewSlot, str]] = field(default_factory=list)

    def skipped_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for _, reason in self.skip:
            counts[reason] += 1
        return dict(counts)


@dataclass(frozen=True)
class Created:
    created: int
    skipped: int  # planned skips plus identical slots that appeared since the plan was made
    skipped_by_reason: dict[str, int]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _source_slots(
    session: Session, first_day: date, days: int, location_ids: Sequence[int]
) -> list[TimeSlot]:
    """The slots of the source days, by local day at their location."""
    locations = session.scalars(select(Location).where(Location.id.in_(location_ids))).all()
    found: list[TimeSlot] = []
    for location in locations:
        tz = ZoneInfo(location.timezone)
        start = datetime.combine(first_day, time(0), tz).astimezone(UTC)
        end = datetime.combine(first_day + timedelta(days=days), time(0), tz).astimezone(UTC)
        found.extend(
            session.scalars(
                select(TimeSlot)
                .options(joinedload(TimeSlot.service_types), joinedload(TimeSlot.location))
                .where(TimeSlot.location_id == location.id)
                .where(TimeSlot.start_at >= start, TimeSlot.start_at < end)
                .order_by(TimeSlot.start_at, TimeSlot.resource_id)
            ).unique()
        )
    return found


def _utc(day: date, start: time, tz: ZoneInfo) -> tuple[datetime, bool]:
    """The UTC instant of a local day and time, and False when DST skips that time."""
    try:
        return local_to_utc(day, start, tz), True
    except ValueError:
        return datetime.combine(day, start, UTC), False


def _moved(slot: TimeSlot, days: int) -> NewSlot:
    """The slot `days` later at the same local wall-clock time, lasting as long."""
    tz = ZoneInfo(slot.location.timezone)
    local = slot.start_at.astimezone(tz)
    day = local.date() + timedelta(days=days)
    start_at, real = _utc(day, local.time().replace(tzinfo=None), tz)
    return NewSlot(
        resource_id=slot.resource_id,
        location_id=slot.location_id,
        day=day,
        start=local.time().replace(tzinfo=None),
        start_at=start_at,
        end_at=start_at + (slot.end_at - slot.start_at),
        service_type_ids=tuple(sorted(t.id for t in slot.service_types)),
        organization_id=slot.organization_id,
        overridable=slot.overridable,
        real_time=real,
    )


def all_location_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Location.id).order_by(Location.id)))


def plan_copy(
    session: Session,
    *,
    source_first_day: date,
    source_days: int,
    target_first_days: Sequence[date],
    location_ids: Sequence[int] | None = None,
    skip_booked: bool = True,
    skip_closed: bool = True,
    now: datetime,
) -> Plan:
    """Copy the slots of `source_days` days from `source_first_day` (7: a week, 1: a day) to
    each target's first day. Raises InvalidCopy for a target overlapping the source."""
    if source_days not in (1, 7):
        raise InvalidCopy("Copy a week or a single day.")
    if not target_first_days:
        raise InvalidCopy("Choose at least one week to copy to.")
    if len(target_first_days) > MAX_WEEKS:
        raise InvalidCopy(f"Copy to at most {MAX_WEEKS} weeks at once.")
    for target in target_first_days:
        if abs((target - source_first_day).days) < source_days:
            raise InvalidCopy("The days copied to cannot overlap the days copied from.")
    locations = list(location_ids) if location_ids else all_location_ids(session)
    sources = _source_slots(session, source_first_day, source_days, locations)
    planned = [
        _moved(slot, (target - source_first_day).days)
        for target in sorted(set(target_first_days))
        for slot in sources
    ]
    return _plan(session, planned, skip_booked=skip_booked, skip_closed=skip_closed, now=now)


def plan_pattern(
    session: Session,
    *,
    resource_id: int,
    first_day: date,
    last_day: date,
    weekdays: Iterable[int],
    from_time: time,
    to_time: time,
    every_minutes: int,
    duration_minutes: int,
    service_type_ids: Sequence[int],
    overridable: bool = False,
    skip_booked: bool = True,
    skip_closed: bool = True,
    now: datetime,
) -> Plan:
    """Slots on `resource` on the chosen weekdays between two days, starting every N minutes
    from `from_time`, each ending by `to_time`. Raises InvalidCopy, NotFound."""
    resource = session.scalar(
        select(Resource).options(joinedload(Resource.location)).where(Resource.id == resource_id)
    )
    if resource is None:
        raise NotFound("That resource does not exist.")
    wanted = set(service_type_ids)
    found = set(session.scalars(select(ServiceType.id).where(ServiceType.id.in_(wanted))))
    if not wanted:
        raise InvalidCopy("Choose at least one session or appointment type.")
    if found != wanted:
        raise NotFound("One of the chosen session types does not exist.")
    days = set(weekdays)
    if not days or not days <= set(range(7)):
        raise InvalidCopy("Choose at least one day of the week.")
    if last_day < first_day:
        raise InvalidCopy("The last day is before the first day.")
    if (last_day - first_day).days > MAX_WEEKS * 7:
        raise InvalidCopy(f"Create at most {MAX_WEEKS} weeks at once.")
    if every_minutes < 5 or duration_minutes < 5:
        raise InvalidCopy("Slots start at least 5 minutes apart and last at least 5 minutes.")
    start_minutes = from_time.hour * 60 + from_time.minute
    end_minutes = to_time.hour * 60 + to_time.minute
    if end_minutes - start_minutes < duration_minutes:
        raise InvalidCopy("The hours are shorter than one slot.")
    tz = ZoneInfo(resource.location.timezone)
    types = tuple(sorted(wanted))
    planned: list[NewSlot] = []
    day = first_day
    while day <= last_day:
        if day.weekday() in days:
            minute = start_minutes
            while minute + duration_minutes <= end_minutes:
                start = time(minute // 60, minute % 60)
                start_at, real = _utc(day, start, tz)
                planned.append(
                    NewSlot(
                        resource_id=resource.id,
                        location_id=resource.location_id,
                        day=day,
                        start=start,
                        start_at=start_at,
                        end_at=start_at + timedelta(minutes=duration_minutes),
                        service_type_ids=types,
                        overridable=overridable,
                        real_time=real,
                    )
                )
                minute += every_minutes
        day += timedelta(days=1)
    return _plan(session, planned, skip_booked=skip_booked, skip_closed=skip_closed, now=now)


def _plan(
    session: Session,
    planned: list[NewSlot],
    *,
    skip_booked: bool,
    skip_closed: bool,
    now: datetime,
) -> Plan:
    """Sort the planned slots into those to create and those skipped, with why."""
    plan = Plan()
    if not planned:
        return plan
    if len(planned) > MAX_SLOTS:
        raise InvalidCopy(
            f"That would make {len(planned)} slots; create at most {MAX_SLOTS} at once."
        )
    first = min(p.start_at for p in planned) - timedelta(days=1)
    last = max(p.end_at for p in planned) + timedelta(days=1)
    resource_ids = {p.resource_id for p in planned}
    existing = set(
        session.execute(
            select(TimeSlot.resource_id, TimeSlot.start_at, TimeSlot.end_at).where(
                TimeSlot.resource_id.in_(resource_ids),
                TimeSlot.start_at >= first,
                TimeSlot.start_at < last,
            )
        ).all()
    )
    booked: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    if skip_booked:
        rows = session.execute(
            select(TimeSlot.resource_id, TimeSlot.start_at, TimeSlot.end_at)
            .join(Booking, Booking.slot_id == TimeSlot.id)
            .where(
                Booking.status == BookingStatus.BOOKED,
                TimeSlot.resource_id.in_(resource_ids),
                TimeSlot.end_at > first,
                TimeSlot.start_at < last,
            )
        ).all()
        for resource_id, start_at, end_at in rows:
            booked[resource_id].append((start_at, end_at))
    closed: set[tuple[int, date]] = set()
    if skip_closed:
        closed = set(
            session.execute(
                select(LocationClosure.location_id, LocationClosure.day).where(
                    LocationClosure.location_id.in_({p.location_id for p in planned}),
                    LocationClosure.day >= min(p.day for p in planned),
                    LocationClosure.day <= max(p.day for p in planned),
                )
            ).all()
        )
    seen: set[tuple[int, datetime, datetime]] = set()
    for slot in sorted(planned, key=lambda p: (p.start_at, p.resource_id)):
        key = (slot.resource_id, slot.start_at, slot.end_at)
        reason = None
        if not slot.real_time:
            reason = NO_SUCH_TIME
        elif slot.start_at <= now:
            reason = PAST
        elif (slot.location_id, slot.day) in closed:
            reason = CLOSED
        elif key in existing or key in seen:
            reason = EXISTS
        elif any(
            start < slot.end_at and slot.start_at < end for start, end in booked[slot.resource_id]
        ):
            reason = BOOKED
        if reason is None:
            seen.add(key)
            plan.create.append(slot)
        else:
            plan.skip.append((slot, reason))
    return plan


def _insert_new_slots(session: Session) -> ReturningInsert[int, int, datetime, datetime]:
    """INSERT of slots that leaves out any identical to one that exists (the unique constraint)."""
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        make(TimeSlot)
        .on_conflict_do_nothing(index_elements=["resource_id", "start_at", "end_at"])
        .returning(TimeSlot.id, TimeSlot.resource_id, TimeSlot.start_at, TimeSlot.end_at)
    )


def create(
    session: Session, plan: Plan, *, waitlist: WaitlistMail | None, now: datetime
) -> Created:
    """`create_planned` as one transaction of its own: the copy tool's Create."""
    created = create_planned(session, plan, waitlist=waitlist, now=now)
    session.commit()
    return created


def create_planned(
    session: Session,
    plan: Plan,
    *,
    waitlist: WaitlistMail | None = None,
    now: datetime | None = None,
) -> Created:
    """Insert the plan's slots, open, in bulk; identical ones that exist by now are skipped.
    With `waitlist` and `now`, clients waiting for the days that got times they may book hear
    of the first of each day and type (one query when nobody waits). Flushes but does not commit:
    the caller's transaction decides."""
    created = 0
    openings: list[Opening] = []
    gone = 0
    statement = _insert_new_slots(session)
    for start in range(0, len(plan.create), 500):
        chunk = plan.create[start : start + 500]
        rows = [
            {
                "resource_id": s.resource_id,
                "location_id": s.location_id,
                "start_at": s.start_at,
                "end_at": s.end_at,
                "state": SlotState.OPEN,
                "organization_id": s.organization_id,
                "overridable": s.overridable,
            }
            for s in chunk
        ]
        ids = {
            (resource_id, _aware(start_at), _aware(end_at)): slot_id
            for slot_id, resource_id, start_at, end_at in session.execute(statement, rows).all()
        }
        links: list[dict[str, int]] = []
        for slot in chunk:
            slot_id = ids.get((slot.resource_id, slot.start_at, slot.end_at))
            if slot_id is None:
                gone += 1
                continue
            links.extend({"slot_id": slot_id, "service_type_id": t} for t in slot.service_type_ids)
            openings.append(
                Opening(
                    slot_id,
                    slot.location_id,
                    slot.day,
                    slot.start_at,
                    slot.service_type_ids,
                    slot.organization_id,
                )
            )
        if links:
            session.execute(slot_service_type.insert(), links)
        created += len(ids)
    if waitlist is not None and now is not None:
        slots_opened(session, openings, now, waitlist)
    reasons = plan.skipped_by_reason()
    if gone:
        reasons[EXISTS] = reasons.get(EXISTS, 0) + gone
    return Created(created=created, skipped=len(plan.skip) + gone, skipped_by_reason=reasons)


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
