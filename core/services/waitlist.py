"""The waiting list (issue 7): clients wait for a time to open up on a full day, and are mailed,
in the order they joined, when one does.

An entry is (client, service type, location, local day). The partial unique index allows one
WAITING entry per client for each, so joining twice is refused by the database, not by a check
made first. When a slot opens (a cancellation, a reschedule, a new or reopened slot) the change's
own transaction calls `slot_opened` (or `slots_opened` for many), which queues one mail per
waiting client, earliest first; the mail's link (waitlist_links) holds that time for them.

An entry waits for any time its client may book: a public one (of a type offered online), or
one of their organization's (its link is the one mailed). So a member who joined through the
organization's link hears of its slots, and nobody else does. Moves, edits, released and
expired holds are in waitlist_openings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from core.models import (
    Booking,
    Client,
    Location,
    Organization,
    ServiceType,
    SlotState,
    TimeSlot,
    WaitlistEntry,
    WaitlistStatus,
)
from core.rules.calendar import day_bounds, local_date
from core.services import availability, read_cache
from core.services.errors import BookingError, NotFound
from core.services.mail import MailContent, queue_mail
from core.services.organizations import check_member, visible_slots

KIND = "waitlist_opening"
MAX_DAYS_AHEAD = 366  # a waiting list a year ahead is the furthest a studio plans


@dataclass(frozen=True)
class WaitlistMail:
    """How the web layer writes the mail: `compose(entry, slot)`, with the hold link in it, and
    the domain of its Message-ID. Changes that open a slot take one (None: no mail)."""

    compose: Callable[[WaitlistEntry, TimeSlot], MailContent]
    domain: str = "studiobook.invalid"


class AlreadyWaiting(BookingError):
    status_code = 409
    default_message = (
        "You are already on the waiting list for this day. We will email you if a time opens up."
    )


class TimesAvailable(BookingError):
    status_code = 409
    default_message = "There are times available on this day: please choose one."


class NotWaitable(BookingError):
    status_code = 400
    default_message = "This day can no longer be booked online, so there is no waiting list."


def _location(session: Session, location_id: int) -> Location:
    location = session.get(Location, location_id)
    if location is None:
        raise NotFound("We could not find that location.")
    return location


def _refusal(
    session: Session, service_type: ServiceType, location: Location, day: date, now: datetime
) -> NotWaitable | None:
    tz = ZoneInfo(location.timezone)
    not_before = availability.earliest_start(session, service_type.kind, now) or now
    if day_bounds(day, tz)[1] <= not_before:
        return NotWaitable()
    if day > local_date(now, tz) + timedelta(days=MAX_DAYS_AHEAD):
        return NotWaitable("That day is too far ahead to wait for. Please choose an earlier day.")
    return None


def can_wait_for(
    session: Session, service_type: ServiceType, location: Location, day: date, now: datetime
) -> bool:
    """Whether a client may wait for this day at all: it can still be booked online (not past,
    not within the booking notice) and is at most MAX_DAYS_AHEAD away."""
    return _refusal(session, service_type, location, day, now) is None


def join(
    session: Session,
    *,
    client_id: int,
    service_type_id: int,
    location_id: int,
    day: date,
    now: datetime,
    organization: Organization | None = None,
) -> WaitlistEntry:
    """Put the client on the waiting list for `day` (local) and commit. The day must still be
    bookable online (not past, not within the booking notice, at most MAX_DAYS_AHEAD) and have
    no time a client could book now in the context (the public widget, or `organization`'s
    link, which only its members may use).

    Raises NotFound, NotAMember, NotWaitable, TimesAvailable or AlreadyWaiting.
    """
    service_type = session.get(ServiceType, service_type_id)
    if service_type is None:
        raise NotFound("We could not find that session type.")
    location = _location(session, location_id)
    check_member(session.get_one(Client, client_id), organization)
    refusal = _refusal(session, service_type, location, day, now)
    if refusal is not None:
        raise refusal
    not_before = availability.earliest_start(session, service_type.kind, now) or now
    start, end = day_bounds(day, ZoneInfo(location.timezone))
    open_starts = availability.bookable_starts(
        session,
        service_type_id=service_type_id,
        location_id=location_id,
        start=start,
        end=end,
        now=now,
        not_before=not_before,
        organization=organization,
    )
    if open_starts:
        raise TimesAvailable()
    entry = WaitlistEntry(
        client_id=client_id,
        service_type_id=service_type_id,
        location_id=location_id,
        day=day,
        status=WaitlistStatus.WAITING,
        created_at=now,
    )
    session.add(entry)
    try:
        session.commit()
    except IntegrityError:  # the partial unique index: already waiting for this day
        session.rollback()
        raise AlreadyWaiting() from None
    return entry


def leave(
    session: Session,
    *,
    client_id: int,
    service_type_id: int,
    location_id: int,
    day: date,
    now: datetime,
) -> None:
    """Take the client off the waiting list for that day and type, and commit. Raises NotFound
    when they are not waiting for it (already left, or booked)."""
    result = session.execute(
        update(WaitlistEntry)
        .where(
            WaitlistEntry.client_id == client_id,
            WaitlistEntry.service_type_id == service_type_id,
            WaitlistEntry.location_id == location_id,
            WaitlistEntry.day == day,
            WaitlistEntry.status == WaitlistStatus.WAITING,
        )
        .values(status=WaitlistStatus.LEFT, ended_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise NotFound("You are not on the waiting list for that day.")
    session.commit()


def waiting_entry(
    session: Session, *, client_id: int, service_type_id: int, location_id: int, day: date
) -> WaitlistEntry | None:
    """The client's live entry for that day and type, if they are waiting."""
    return session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.client_id == client_id,
            WaitlistEntry.service_type_id == service_type_id,
            WaitlistEntry.location_id == location_id,
            WaitlistEntry.day == day,
            WaitlistEntry.status == WaitlistStatus.WAITING,
        )
    )


def entries_for_client(session: Session, *, client_id: int, now: datetime) -> list[WaitlistEntry]:
    """The days a client is waiting for that have not passed (locally), soonest first."""
    stmt = (
        select(WaitlistEntry)
        .options(joinedload(WaitlistEntry.service_type), joinedload(WaitlistEntry.location))
        .where(
            WaitlistEntry.client_id == client_id,
            WaitlistEntry.status == WaitlistStatus.WAITING,
            WaitlistEntry.day >= (now - timedelta(days=1)).date(),  # narrowed per zone below
        )
        .order_by(WaitlistEntry.day, WaitlistEntry.created_at)
    )
    return [
        entry
        for entry in session.scalars(stmt)
        if entry.day >= local_date(now, ZoneInfo(entry.location.timezone))
    ]


def entries_for_day(
    session: Session, *, day: date, service_type_id: int | None = None
) -> list[WaitlistEntry]:
    """Every entry (waiting, booked, left) for a day, by location and type, then in the order
    the clients joined; one query."""
    stmt = (
        select(WaitlistEntry)
        .join(WaitlistEntry.service_type)
        .join(WaitlistEntry.location)
        .options(
            joinedload(WaitlistEntry.client),
            joinedload(WaitlistEntry.service_type),
            joinedload(WaitlistEntry.location),
        )
        .where(WaitlistEntry.day == day)
        .order_by(
            Location.display_name,
            ServiceType.online_name,
            WaitlistEntry.created_at,
            WaitlistEntry.id,
        )
    )
    if service_type_id is not None:
        stmt = stmt.where(WaitlistEntry.service_type_id == service_type_id)
    return list(session.scalars(stmt))


def full_days(
    session: Session,
    *,
    service_type_id: int,
    location_id: int,
    days: Iterable[date],
    tz: ZoneInfo,
    not_before: datetime,
    organization: Organization | None = None,
) -> set[date]:
    """Of `days` (local days at the location with no open time), those on which clients have
    the type's slots offered in the context (public, or `organization`'s link): booked, held,
    or hidden by a booking next to them. Such days are fully booked, and clients may join their
    waiting list. One query over those days only (runs of consecutive days as one range), none
    when there are none: a month with a free time every day asks nothing (issue 9)."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    if not runs:
        return set()
    ranges = [
        and_(
            TimeSlot.start_at >= day_bounds(run[0], tz)[0],
            TimeSlot.start_at < day_bounds(run[-1], tz)[1],
        )
        for run in runs
    ]
    stmt = select(TimeSlot.start_at).where(
        TimeSlot.location_id == location_id,
        or_(*ranges),
        TimeSlot.start_at >= not_before,
        visible_slots(organization),
        TimeSlot.state.in_([SlotState.BOOKED, SlotState.HELD, SlotState.HIDDEN]),
        availability.serves(service_type_id),
    )
    return {local_date(start, tz) for start in session.scalars(stmt)}


@dataclass(frozen=True)
class Opening:
    """A slot that became open: enough to match waiting entries without loading the slot."""

    slot_id: int
    location_id: int
    day: date  # local, at the location
    start_at: datetime
    service_type_ids: tuple[int, ...]
    organization_id: int | None = None  # an organization's slot: only its members hear of it


def opening_of(slot: TimeSlot) -> Opening:
    """The slot as an Opening (its location and types loaded)."""
    day = local_date(slot.start_at, ZoneInfo(slot.location.timezone))
    types = tuple(t.id for t in slot.service_types)
    return Opening(slot.id, slot.location_id, day, slot.start_at, types, slot.organization_id)


def slot_opened(
    session: Session,
    slot: TimeSlot,
    now: datetime,
    mail: WaitlistMail,
    *,
    except_client_id: int | None = None,
) -> int:
    """Queue the waitlist mail for a slot that just became open, in the caller's transaction
    (not committed here); returns how many were queued."""
    return slots_opened(session, [opening_of(slot)], now, mail, except_client_id=except_client_id)


def booking_released(
    session: Session,
    booking: Booking,
    now: datetime,
    mail: WaitlistMail,
    *,
    taken_slot_id: int | None = None,
) -> int:
    """Queue the waitlist mail for the times a cancelled or moved booking gives back: its slot
    and the slots it hid, but `taken_slot_id` (a reschedule's new time). Call it before those
    hidden slots are brought back (it finds them by the booking that hid them). Not committed;
    returns how many mails were queued."""
    slots = session.scalars(
        select(TimeSlot)
        .options(joinedload(TimeSlot.location), selectinload(TimeSlot.service_types))
        .where(
            or_(
                TimeSlot.id == booking.slot_id,
                and_(
                    TimeSlot.hidden_by_booking_id == booking.id,
                    TimeSlot.state == SlotState.HIDDEN,
                ),
            )
        )
    )
    openings = [opening_of(slot) for slot in slots if slot.id != taken_slot_id]
    return slots_opened(session, openings, now, mail)


def slots_opened(
    session: Session,
    openings: Iterable[Opening],
    now: datetime,
    mail: WaitlistMail,
    *,
    except_client_id: int | None = None,
) -> int:
    """For each (location, local day, type) among `openings`, mail every client waiting for it
    who may book one of those times (`_may_book`), in the order they joined, about the earliest
    such time; sets their `notified_at`. `except_client_id`: the client who gave the time up.
    Not committed. One query when nobody waits (the usual case, even for thousands of new
    slots), three or four when someone does. Returns the number of mails queued."""
    by_key: dict[tuple[int, date, int], list[Opening]] = {}
    for opening in openings:
        if opening.start_at <= now:
            continue
        for type_id in opening.service_type_ids:
            by_key.setdefault((opening.location_id, opening.day, type_id), []).append(opening)
    if not by_key:
        return 0
    stmt = (
        select(WaitlistEntry)
        .options(
            joinedload(WaitlistEntry.client),
            joinedload(WaitlistEntry.service_type),
            joinedload(WaitlistEntry.location),
        )
        .where(
            WaitlistEntry.status == WaitlistStatus.WAITING,
            WaitlistEntry.location_id.in_({k[0] for k in by_key}),
            WaitlistEntry.day.in_({k[1] for k in by_key}),
            WaitlistEntry.service_type_id.in_({k[2] for k in by_key}),
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    )
    if except_client_id is not None:
        stmt = stmt.where(WaitlistEntry.client_id != except_client_id)
    entries = [
        (entry, by_key[key])
        for entry in session.scalars(stmt)
        if (key := (entry.location_id, entry.day, entry.service_type_id)) in by_key
    ]
    if not entries:
        return 0
    active = _active_organizations(session, by_key.values())
    matched: list[tuple[WaitlistEntry, Opening]] = []
    for entry, candidates in entries:
        offered = [o for o in candidates if _may_book(entry, o, active)]
        if offered:
            matched.append((entry, min(offered, key=lambda o: o.start_at)))
    if not matched:
        return 0
    slot_ids = {opening.slot_id for _, opening in matched}
    slots = {
        slot.id: slot
        for slot in session.scalars(
            select(TimeSlot).options(joinedload(TimeSlot.location)).where(TimeSlot.id.in_(slot_ids))
        )
    }
    for entry, opening in matched:
        queue_mail(
            session,
            kind=KIND,
            to=entry.client.email,
            content=mail.compose(entry, slots[opening.slot_id]),
            now=now,
            domain=mail.domain,
            client_id=entry.client_id,
        )
        entry.notified_at = now
    return len(matched)


def _active_organizations(session: Session, openings: Iterable[list[Opening]]) -> set[int]:
    """Which of the openings' organizations have an active link (no query when none has one)."""
    ids = {o.organization_id for group in openings for o in group if o.organization_id}
    if not ids:
        return set()
    query = select(Organization.id).where(Organization.id.in_(ids), Organization.active.is_(True))
    return set(session.scalars(query))


def _may_book(entry: WaitlistEntry, opening: Opening, active: set[int]) -> bool:
    """A public time, if the public widget offers the entry's type; an organization's, if the
    client is its member and its link is active."""
    if opening.organization_id is None:
        return entry.service_type.online
    return opening.organization_id in active and entry.client.organization_id == (
        opening.organization_id
    )


# Built once, its values bound at each booking (issue 9: building it took longer than running it;
# its parameters are named unlike the columns, whose names SQLAlchemy keeps for itself).
_MARK_BOOKED = (
    update(WaitlistEntry)
    .where(
        WaitlistEntry.client_id == bindparam("for_client"),
        WaitlistEntry.service_type_id == bindparam("for_type"),
        WaitlistEntry.location_id == bindparam("at_location"),
        WaitlistEntry.day == bindparam("on_day"),
        WaitlistEntry.status == WaitlistStatus.WAITING,
    )
    .values(
        status=WaitlistStatus.BOOKED,
        ended_at=bindparam("booked_at", type_=WaitlistEntry.ended_at.type),
    )
    .execution_options(synchronize_session=False)
)


def mark_booked(
    session: Session, *, client_id: int, service_type_id: int, slot: TimeSlot, now: datetime
) -> None:
    """The client booked this type on the slot's day: their entry for it (if any) is BOOKED,
    so no more mail comes. In the caller's transaction. Where the process keeps who waits
    (the read cache, on PostgreSQL), a client waiting for nothing, as nearly every one who
    books, costs no statement (issue 9: one of the confirm's eight)."""
    if read_cache.answers(session) and client_id not in _waiting_clients(session):
        return
    values = {
        "for_client": client_id,
        "for_type": service_type_id,
        "at_location": slot.location_id,
        "on_day": local_date(slot.start_at, ZoneInfo(slot.location.timezone)),
        "booked_at": now,
    }
    session.execute(_MARK_BOOKED, values)  # through the session: the read cache hears of it


def _waiting_clients(session: Session) -> frozenset[int]:
    """The clients with an entry still waiting, for any day; kept by the read cache until the
    waiting list changes (a client joins it: an INSERT, in any process)."""

    def read() -> frozenset[int]:
        waiting = select(WaitlistEntry.client_id).where(
            WaitlistEntry.status == WaitlistStatus.WAITING
        )
        return frozenset(session.scalars(waiting.distinct()))

    return read_cache.value(session, "waiting clients", read)


@dataclass(frozen=True)
class WaitingDay:
    day: date
    location: Location
    service_type: ServiceType
    waiting: int


def waiting_days(session: Session, *, from_day: date, limit: int = 100) -> list[WaitingDay]:
    """Days from `from_day` on with clients waiting, per location and type, soonest first, with
    how many wait; one aggregate query (and the few locations and types it names)."""
    count = func.count(WaitlistEntry.id)
    rows = session.execute(
        select(
            WaitlistEntry.day,
            WaitlistEntry.location_id,
            WaitlistEntry.service_type_id,
            count,
        )
        .where(WaitlistEntry.status == WaitlistStatus.WAITING, WaitlistEntry.day >= from_day)
        .group_by(WaitlistEntry.day, WaitlistEntry.location_id, WaitlistEntry.service_type_id)
        .order_by(WaitlistEntry.day, WaitlistEntry.location_id, WaitlistEntry.service_type_id)
        .limit(limit)
    ).all()
    locations = {loc.id: loc for loc in session.scalars(select(Location))} if rows else {}
    types = {t.id: t for t in session.scalars(select(ServiceType))} if rows else {}
    return [
        WaitingDay(day, locations[location_id], types[type_id], waiting)
        for day, location_id, type_id, waiting in rows
    ]
