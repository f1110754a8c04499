"""When a time opens up besides a new slot or a cancellation: staff moving or editing a free slot,
a client giving a held time back, and a hold that ran out unused. Each tells the clients waiting
for the day (waitlist.slots_opened) once per opening.

A change announces only what the slot offers after it and did not before: moved to another day,
location or organization, or given another type. Moving it within the same day and type says
nothing again, so the clients already mailed about it are not mailed twice.

A hold that runs out has no event of its own: `reopen_expired_holds` (the CLI's `waitlist
reopen-expired-holds`, for cron) finds them, opens the slots again and announces them. Its
conditional UPDATE is the claim, so of two runs at once each slot is announced by one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from core.models import SlotState, TimeSlot
from core.services.waitlist import Opening, WaitlistMail, opening_of, slots_opened

# A hold is reopened this long after it ran out, so a client confirming in its last second (by
# their request's clock) is never beaten to it by the sweep.
HOLD_GRACE = timedelta(minutes=1)


def _fresh(session: Session, slot_id: int) -> TimeSlot | None:
    """The slot as stored now (in this transaction), with its location and types."""
    return session.scalar(
        select(TimeSlot)
        .options(joinedload(TimeSlot.location), selectinload(TimeSlot.service_types))
        .where(TimeSlot.id == slot_id)
        .execution_options(populate_existing=True)
    )


def offered(session: Session, slot_id: int, now: datetime) -> Opening | None:
    """What the slot offers clients now: an Opening if it is open and ahead, else None (held,
    booked, closed, hidden, past or gone). A hold that ran out is left to the sweep."""
    slot = _fresh(session, slot_id)
    if slot is None or slot.state is not SlotState.OPEN or slot.start_at <= now:
        return None
    return opening_of(slot)


def newly_offered(before: Opening | None, after: Opening | None) -> Opening | None:
    """What `after` offers that `before` did not: all of it on another day, location or
    organization; else only the types it gained (None when there are none)."""
    if after is None:
        return None
    if before is None or (before.location_id, before.day, before.organization_id) != (
        after.location_id,
        after.day,
        after.organization_id,
    ):
        return after
    gained = tuple(t for t in after.service_type_ids if t not in before.service_type_ids)
    return replace(after, service_type_ids=gained) if gained else None


def slot_changed(
    session: Session, slot_id: int, before: Opening | None, now: datetime, mail: WaitlistMail
) -> int:
    """After a staff change to a slot, in its transaction (not committed): mail the clients
    waiting for what it offers now and did not before (`before`: `offered` ahead of the
    change). Returns how many mails were queued."""
    opening = newly_offered(before, offered(session, slot_id, now))
    return slots_opened(session, [opening], now, mail) if opening else 0


def hold_released(
    session: Session, slot_id: int, now: datetime, mail: WaitlistMail, *, client_id: int | None
) -> int:
    """A client gave back the time they held (choosing another): the clients waiting for its
    day hear of it, but that client. In the caller's transaction; returns mails queued."""
    opening = offered(session, slot_id, now)
    if opening is None:
        return 0
    return slots_opened(session, [opening], now, mail, except_client_id=client_id)


@dataclass(frozen=True)
class Reopened:
    slots: int  # holds that ran out, whose slots are open again
    mails: int  # waitlist mails queued about them


def reopen_expired_holds(session: Session, *, now: datetime, mail: WaitlistMail) -> Reopened:
    """Open again the future slots whose hold ran out unused (over HOLD_GRACE ago) and mail the
    clients waiting for their days, as a cancellation would; commits. One conditional UPDATE
    claims the slots, so of two runs at once (two hosts' cron) each slot is announced once."""
    claimed = session.scalars(
        update(TimeSlot)
        .where(
            TimeSlot.state == SlotState.HELD,
            TimeSlot.held_until <= now - HOLD_GRACE,
            TimeSlot.start_at > now,
        )
        .values(state=SlotState.OPEN, hold_token=None, held_until=None)
        .returning(TimeSlot.id)
        .execution_options(synchronize_session=False)
    ).all()
    mails = 0
    if claimed:
        slots = session.scalars(
            select(TimeSlot)
            .options(joinedload(TimeSlot.location), selectinload(TimeSlot.service_types))
            .where(TimeSlot.id.in_(claimed))
        )
        mails = slots_opened(session, [opening_of(slot) for slot in slots], now, mail)
    session.commit()
    return Reopened(len(claimed), mails)
