"""Auto-remove conflicting slots (seed 002): one 60-minute slot and two 30-minute slots inside it
on one resource; booking the 60 hides both 30s, cancelling brings them back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.models import BookedVia, SlotState, TimeSlot
from core.services.booking import book, cancel
from core.services.rescheduling import reschedule
from tests.conftest import NOW

START = NOW + timedelta(days=3)


@pytest.fixture
def studio(core_make: Any) -> Any:
    """The seed's example: a 60-minute slot 10:00-11:00 and 30-minute slots at 10:00 and 10:30,
    all on one room; the hour-long type auto-removes conflicts."""
    room = core_make.resource()
    hour = core_make.service_type(duration_minutes=60, auto_remove_conflicts=True)
    half = core_make.service_type(duration_minutes=30)

    class Studio:
        long = core_make.slot(START, service_types=[hour], resource=room, minutes=60)
        first = core_make.slot(START, service_types=[half], resource=room, minutes=30)
        second = core_make.slot(
            START + timedelta(minutes=30), service_types=[half], resource=room, minutes=30
        )

    Studio.room, Studio.hour, Studio.half = room, hour, half  # type: ignore[attr-defined]
    return Studio


def _book(session: Session, slot: TimeSlot, client: Any, **kw: Any) -> Any:
    return book(
        session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        client_id=client.id,
        now=NOW,
        via=BookedVia.STAFF,
        **kw,
    )


def _states(session: Session, *slots: TimeSlot) -> list[SlotState]:
    session.expire_all()
    return [session.get(TimeSlot, slot.id).state for slot in slots]  # type: ignore[union-attr]


def test_booking_the_long_slot_hides_both_short_slots_inside_it(
    session: Session, core_make: Any, studio: Any
) -> None:
    booking = _book(session, studio.long, core_make.client())

    assert _states(session, studio.first, studio.second) == [SlotState.HIDDEN] * 2
    assert session.get(TimeSlot, studio.first.id).hidden_by_booking_id == booking.id  # type: ignore[union-attr]


def test_a_day_long_slot_that_began_the_day_before_is_hidden_and_one_just_before_is_not(
    session: Session, core_make: Any, studio: Any
) -> None:
    """The longest slot there can be (a day) overlapping the booked hour by its last half hour is
    a conflict; one ending as the hour begins is not."""
    overlapping = core_make.slot(
        START - timedelta(hours=23, minutes=30),
        service_types=[studio.half],
        resource=studio.room,
        minutes=24 * 60,
    )
    touching = core_make.slot(
        START - timedelta(days=1),
        service_types=[studio.half],
        resource=studio.room,
        minutes=24 * 60,
    )

    _book(session, studio.long, core_make.client())

    assert _states(session, overlapping, touching) == [SlotState.HIDDEN, SlotState.OPEN]


def test_cancelling_the_long_booking_brings_the_short_slots_back(
    session: Session, core_make: Any, studio: Any
) -> None:
    booking = _book(session, studio.long, core_make.client())

    cancel(session, public_id=booking.public_id, now=NOW)

    assert _states(session, studio.long, studio.first, studio.second) == [SlotState.OPEN] * 3
    assert session.get(TimeSlot, studio.first.id).hidden_by_booking_id is None  # type: ignore[union-attr]


def test_a_short_slot_booked_meanwhile_stays_booked_after_the_cancel(
    session: Session, core_make: Any, studio: Any
) -> None:
    booking = _book(session, studio.long, core_make.client())
    studio.first.state = SlotState.BOOKED  # staff put someone in it while it was hidden
    session.commit()

    cancel(session, public_id=booking.public_id, now=NOW)

    assert _states(session, studio.first, studio.second) == [SlotState.BOOKED, SlotState.OPEN]


def test_a_short_slot_closed_meanwhile_stays_closed_after_the_cancel(
    session: Session, core_make: Any, studio: Any
) -> None:
    booking = _book(session, studio.long, core_make.client())
    studio.second.state = SlotState.CLOSED
    session.commit()

    cancel(session, public_id=booking.public_id, now=NOW)

    assert _states(session, studio.second) == [SlotState.CLOSED]


def test_a_slot_deleted_meanwhile_is_not_brought_back(
    session: Session, core_make: Any, studio: Any
) -> None:
    booking = _book(session, studio.long, core_make.client())
    session.delete(studio.second)
    session.commit()

    cancel(session, public_id=booking.public_id, now=NOW)

    session.expire_all()
    assert session.get(TimeSlot, studio.second.id) is None


def test_overlapping_slots_on_other_resources_stay_open(
    session: Session, core_make: Any, studio: Any
) -> None:
    elsewhere = core_make.slot(START, service_types=[studio.half], minutes=30)

    _book(session, studio.long, core_make.client())

    assert _states(session, elsewhere) == [SlotState.OPEN]


@pytest.mark.parametrize(
    ("offset", "minutes"),
    [(-30, 30), (60, 30), (-60, 60), (60, 60)],
    ids=["ends-at-start", "starts-at-end", "hour-before", "hour-after"],
)
def test_adjacent_slots_on_the_same_resource_stay_open(
    session: Session, core_make: Any, studio: Any, offset: int, minutes: int
) -> None:
    neighbour = core_make.slot(
        START + timedelta(minutes=offset),
        service_types=[studio.half],
        resource=studio.room,
        minutes=minutes,
    )

    _book(session, studio.long, core_make.client())

    assert _states(session, neighbour) == [SlotState.OPEN]


def test_a_type_without_the_option_hides_nothing(
    session: Session, core_make: Any, studio: Any
) -> None:
    _book(session, studio.first, core_make.client())

    assert _states(session, studio.long, studio.second) == [SlotState.OPEN] * 2


def test_a_slot_held_by_another_client_is_not_hidden(
    session: Session, core_make: Any, studio: Any
) -> None:
    studio.first.state, studio.first.hold_token = SlotState.HELD, "theirs"
    studio.first.held_until = NOW + timedelta(minutes=10)
    session.commit()

    _book(session, studio.long, core_make.client())

    assert _states(session, studio.first, studio.second) == [SlotState.HELD, SlotState.HIDDEN]


def test_a_slot_whose_hold_ran_out_is_hidden(session: Session, core_make: Any, studio: Any) -> None:
    studio.first.state, studio.first.hold_token = SlotState.HELD, "gone"
    studio.first.held_until = NOW - timedelta(minutes=1)
    session.commit()

    _book(session, studio.long, core_make.client())

    assert _states(session, studio.first) == [SlotState.HIDDEN]


def test_rescheduling_the_long_booking_brings_its_short_slots_back(
    session: Session, core_make: Any, studio: Any
) -> None:
    later = core_make.slot(START + timedelta(days=1), service_types=[studio.hour], minutes=60)
    booking = _book(session, studio.long, core_make.client())

    reschedule(session, public_id=booking.public_id, new_slot_id=later.id, now=NOW)

    assert _states(session, studio.long, studio.first, studio.second) == [SlotState.OPEN] * 3


def test_rescheduling_onto_a_slot_the_booking_hid_is_allowed(
    session: Session, core_make: Any, studio: Any
) -> None:
    overlapping = core_make.slot(
        START + timedelta(minutes=30), service_types=[studio.hour], resource=studio.room
    )
    booking = _book(session, studio.long, core_make.client())
    assert _states(session, overlapping) == [SlotState.HIDDEN]

    moved = reschedule(session, public_id=booking.public_id, new_slot_id=overlapping.id, now=NOW)

    assert moved.slot_id == overlapping.id
    # The new booking hides what overlaps it: the long slot it left and the second half hour.
    assert _states(session, studio.long, studio.first, studio.second) == [
        SlotState.HIDDEN,
        SlotState.OPEN,
        SlotState.HIDDEN,
    ]
