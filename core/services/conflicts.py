"""Auto-remove conflicting slots (seed 002): booking a slot of a type with the option set hides
the open slots overlapping it on the same resource; cancelling or moving that booking brings
back those it hid, unless one was booked, closed or deleted meanwhile.

One UPDATE each way; the `hidden_by_booking_id` link says which booking hid which slot.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy.orm import Session

from core.db import write_rows
from core.models import MAX_SLOT_MINUTES, Booking, SlotState, TimeSlot

# Built once, its values bound at each booking (issue 9: building it took longer than running
# it). An overlapping slot starts less than a slot's longest length before the booked one:
# saying so lets the (resource, start) index scan a day of entries, not the resource's history.
_HIDE_CONFLICTING = (
    update(TimeSlot)
    .where(
        TimeSlot.resource_id == bindparam("on_resource"),
        TimeSlot.id != bindparam("booked_slot"),
        TimeSlot.start_at > bindparam("earliest_overlap"),
        TimeSlot.start_at < bindparam("booked_end"),
        TimeSlot.end_at > bindparam("booked_start"),
        or_(
            TimeSlot.state == SlotState.OPEN,
            and_(TimeSlot.state == SlotState.HELD, TimeSlot.held_until <= bindparam("now")),
        ),
    )
    .values(
        state=SlotState.HIDDEN,
        hidden_by_booking_id=bindparam("booking_id", type_=TimeSlot.hidden_by_booking_id.type),
        hold_token=None,
        held_until=None,
    )
    .execution_options(synchronize_session=False)
)


def hide_conflicting_slots(
    session: Session, booking: Booking, slot: TimeSlot, *, now: datetime
) -> int:
    """Hide every free slot on `slot`'s resource whose [start, end) overlaps it, as hidden by
    `booking`; a slot held by someone (hold not expired) or booked stays. Returns how many."""
    result = write_rows(
        session,
        _HIDE_CONFLICTING,
        {
            "on_resource": slot.resource_id,
            "booked_slot": slot.id,
            "earliest_overlap": slot.start_at - timedelta(minutes=MAX_SLOT_MINUTES),
            "booked_start": slot.start_at,
            "booked_end": slot.end_at,
            "now": now,
            "booking_id": booking.id,
        },
    )
    return result.rowcount


def bring_back_hidden_slots(session: Session, booking_id: int) -> int:
    """Open again the slots `booking_id` hid that are still hidden by it. Returns how many."""
    result = session.execute(
        update(TimeSlot)
        .where(
            TimeSlot.hidden_by_booking_id == booking_id,
            TimeSlot.state == SlotState.HIDDEN,
        )
        .values(state=SlotState.OPEN, hidden_by_booking_id=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount  # type: ignore[attr-defined, no-any-return]
