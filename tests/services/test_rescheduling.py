"""Rescheduling and cancelling: statuses from the type, history kept, notice limits for clients."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import (
    Booking,
    BookingStatus,
    Invoice,
    KindPreferences,
    ListChoice,
    ListKind,
    ServiceKind,
    SlotState,
    TimeSlot,
)
from core.services.booking import book, cancel
from core.services.errors import NotCancellable, SlotTaken, TooSoonToBook
from core.services.rescheduling import NotReschedulable, booking_history, reschedule
from tests.concurrency import race, racing_engine_for
from tests.conftest import NOW

START = NOW + timedelta(days=2)


def _label(core_make: Any, name: str) -> ListChoice:
    return core_make._save(ListChoice(kind=ListKind.SESSION_STATUS, name=name))  # type: ignore[no-any-return]


@pytest.fixture
def labelled_type(core_make: Any) -> Any:
    return core_make.service_type(
        booked_status_id=_label(core_make, "Session Booked - Online").id,
        rescheduled_status_id=_label(core_make, "Session Rescheduled - Online").id,
        cancelled_status_id=_label(core_make, "Session Cancelled - Online").id,
    )


def _booked(session: Session, core_make: Any, service_type: Any, start: Any = START) -> Booking:
    slot = core_make.slot(start, service_types=[service_type])
    return book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=core_make.client().id,
        now=NOW,
    )


def _label_name(session: Session, booking: Booking) -> str | None:
    session.expire_all()
    label_id = session.get_one(Booking, booking.id).status_label_id
    return session.get_one(ListChoice, label_id).name if label_id else None


def _limit(core_make: Any, **minutes: int) -> None:
    core_make._save(KindPreferences(kind=ServiceKind.SESSION, **minutes))


def test_a_booking_gets_the_types_booked_status(
    session: Session, core_make: Any, labelled_type: Any
) -> None:
    booking = _booked(session, core_make, labelled_type)

    assert _label_name(session, booking) == "Session Booked - Online"


def test_a_cancelled_booking_gets_the_types_cancelled_status(
    session: Session, core_make: Any, labelled_type: Any
) -> None:
    booking = _booked(session, core_make, labelled_type)

    cancel(session, public_id=booking.public_id, now=NOW)

    assert _label_name(session, booking) == "Session Cancelled - Online"


def test_both_bookings_of_a_reschedule_get_the_types_rescheduled_status(
    session: Session, core_make: Any, labelled_type: Any
) -> None:
    booking = _booked(session, core_make, labelled_type)
    later = core_make.slot(START + timedelta(days=1), service_types=[labelled_type])

    moved = reschedule(session, public_id=booking.public_id, new_slot_id=later.id, now=NOW)

    assert _label_name(session, booking) == "Session Rescheduled - Online"
    assert _label_name(session, moved) == "Session Rescheduled - Online"


def test_a_type_without_statuses_leaves_the_label_empty(session: Session, core_make: Any) -> None:
    booking = _booked(session, core_make, core_make.service_type())

    assert _label_name(session, booking) is None


def test_rescheduling_keeps_the_old_booking_and_frees_its_slot(
    session: Session, core_make: Any
) -> None:
    service_type = core_make.service_type()
    old = _booked(session, core_make, service_type)
    old.notes = "Bring the dog"
    session.commit()
    later = core_make.slot(START + timedelta(days=1), service_types=[service_type])

    new = reschedule(session, public_id=old.public_id, new_slot_id=later.id, now=NOW)

    session.expire_all()
    old = session.get_one(Booking, old.id)
    assert (old.status, old.cancelled_at, old.slot.state) == (
        BookingStatus.RESCHEDULED,
        NOW,
        SlotState.OPEN,
    )
    assert (new.status, new.rescheduled_from_id, new.client_id, new.notes) == (
        BookingStatus.BOOKED,
        old.id,
        old.client_id,
        "Bring the dog",
    )
    assert session.get_one(TimeSlot, later.id).state is SlotState.BOOKED


def test_the_invoice_follows_the_rescheduled_booking(session: Session, core_make: Any) -> None:
    core_make.studio()
    service_type = core_make.service_type(auto_create_invoice=True)
    old = _booked(session, core_make, service_type)
    later = core_make.slot(START + timedelta(days=1), service_types=[service_type])

    new = reschedule(session, public_id=old.public_id, new_slot_id=later.id, now=NOW)

    invoices = session.scalars(select(Invoice.booking_id)).all()
    assert invoices == [new.id]


def test_a_taken_new_slot_changes_nothing(session: Session, core_make: Any) -> None:
    service_type = core_make.service_type()
    old = _booked(session, core_make, service_type)
    taken = _booked(session, core_make, service_type, START + timedelta(days=1))

    with pytest.raises(SlotTaken):
        reschedule(session, public_id=old.public_id, new_slot_id=taken.slot_id, now=NOW)

    session.expire_all()
    assert session.get_one(Booking, old.id).status is BookingStatus.BOOKED
    assert session.get_one(TimeSlot, old.slot_id).state is SlotState.BOOKED


def test_a_cancelled_booking_cannot_be_rescheduled(session: Session, core_make: Any) -> None:
    service_type = core_make.service_type()
    old = _booked(session, core_make, service_type)
    cancel(session, public_id=old.public_id, now=NOW)
    later = core_make.slot(START + timedelta(days=1), service_types=[service_type])

    with pytest.raises(NotReschedulable):
        reschedule(session, public_id=old.public_id, new_slot_id=later.id, now=NOW)


def test_the_history_lists_cancelled_rescheduled_and_past_bookings(
    session: Session, core_make: Any
) -> None:
    service_type = core_make.service_type()
    client = core_make.client()
    slots = [
        core_make.slot(START + timedelta(days=d), service_types=[service_type]) for d in range(4)
    ]
    bookings = [
        book(session, slot_id=s.id, service_type_id=service_type.id, client_id=client.id, now=NOW)
        for s in slots[:3]
    ]
    cancel(session, public_id=bookings[0].public_id, now=NOW)
    reschedule(session, public_id=bookings[1].public_id, new_slot_id=slots[3].id, now=NOW)

    later = START + timedelta(days=2, hours=2)  # after the third booking's hour
    history = booking_history(session, client_id=client.id, now=later)

    assert [(entry.booking.id, entry.outcome) for entry in history] == [
        (bookings[2].id, "Completed"),
        (bookings[1].id, "Rescheduled"),
        (bookings[0].id, "Cancelled"),
    ]


@pytest.mark.parametrize(
    ("hours_before", "allowed"),
    [(23, False), (24, True), (48, True)],
)
def test_a_client_can_cancel_only_outside_the_cancel_notice(
    session: Session, core_make: Any, hours_before: int, allowed: bool
) -> None:
    _limit(core_make, notice_cancel_minutes=24 * 60)
    booking = _booked(session, core_make, core_make.service_type())
    now = booking.slot.start_at - timedelta(hours=hours_before)

    if allowed:
        cancel(session, public_id=booking.public_id, now=now, client_id=booking.client_id)
    else:
        with pytest.raises(NotCancellable, match="up to 24 hours before they start"):
            cancel(session, public_id=booking.public_id, now=now, client_id=booking.client_id)


@pytest.mark.parametrize(
    ("hours_before", "allowed"),
    [(47, False), (48, True)],
)
def test_a_client_can_reschedule_only_outside_the_reschedule_notice(
    session: Session, core_make: Any, hours_before: int, allowed: bool
) -> None:
    _limit(core_make, notice_reschedule_minutes=48 * 60)
    service_type = core_make.service_type()
    booking = _booked(session, core_make, service_type)
    later = core_make.slot(START + timedelta(days=5), service_types=[service_type])
    now = booking.slot.start_at - timedelta(hours=hours_before)
    args = {"public_id": booking.public_id, "new_slot_id": later.id, "now": now}

    if allowed:
        reschedule(session, **args, client_id=booking.client_id)
    else:
        with pytest.raises(NotReschedulable, match="up to 2 days before they start"):
            reschedule(session, **args, client_id=booking.client_id)


def test_the_cancel_notice_does_not_limit_rescheduling(session: Session, core_make: Any) -> None:
    _limit(core_make, notice_cancel_minutes=7 * 24 * 60)
    service_type = core_make.service_type()
    booking = _booked(session, core_make, service_type)
    later = core_make.slot(START + timedelta(days=5), service_types=[service_type])

    moved = reschedule(
        session,
        public_id=booking.public_id,
        new_slot_id=later.id,
        now=NOW,
        client_id=booking.client_id,
    )

    assert moved.slot_id == later.id


def test_staff_are_not_limited_by_the_notice(session: Session, core_make: Any) -> None:
    _limit(core_make, notice_reschedule_minutes=72 * 60, notice_cancel_minutes=72 * 60)
    service_type = core_make.service_type()
    booking = _booked(session, core_make, service_type)
    later = core_make.slot(START + timedelta(days=5), service_types=[service_type])

    moved = reschedule(session, public_id=booking.public_id, new_slot_id=later.id, now=NOW)
    cancel(session, public_id=moved.public_id, now=NOW)

    assert moved.status is BookingStatus.CANCELLED


def test_the_appointment_notice_does_not_limit_sessions(session: Session, core_make: Any) -> None:
    core_make._save(KindPreferences(kind=ServiceKind.APPOINTMENT, notice_cancel_minutes=72 * 60))
    booking = _booked(session, core_make, core_make.service_type(kind=ServiceKind.SESSION))

    cancel(session, public_id=booking.public_id, now=NOW, client_id=booking.client_id)

    assert booking.status is BookingStatus.CANCELLED


@pytest.fixture
def racing_engine(database_url: str, clean_db: Engine) -> Iterator[Engine]:
    engine = racing_engine_for(database_url, 2)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_of_two_clients_rescheduling_onto_one_slot_only_one_wins(
    session: Session, core_make: Any, racing_engine: Engine
) -> None:
    service_type = core_make.service_type()
    bookings = [
        _booked(session, core_make, service_type, START + timedelta(hours=h)) for h in (0, 2)
    ]
    target = core_make.slot(START + timedelta(days=1), service_types=[service_type])

    outcomes = race(
        racing_engine,
        lambda s, n: reschedule(
            s,
            public_id=bookings[n].public_id,
            new_slot_id=target.id,
            now=NOW,
            client_id=bookings[n].client_id,
        ),
        threads=2,
    )

    assert outcomes == Counter({"won": 1, SlotTaken.__name__: 1})
    session.expire_all()
    live = select(func.count()).where(
        Booking.slot_id == target.id, Booking.status == BookingStatus.BOOKED
    )
    assert session.scalar(live) == 1
    statuses = sorted(session.get_one(Booking, b.id).status.value for b in bookings)
    assert statuses == ["booked", "rescheduled"]  # the loser keeps their original time


def test_a_client_cannot_move_onto_a_time_inside_the_booking_notice(
    session: Session, core_make: Any
) -> None:
    _limit(core_make, notice_book_minutes=24 * 60)
    service_type = core_make.service_type()
    booking = _booked(session, core_make, service_type, NOW + timedelta(days=3))
    soon = core_make.slot(NOW + timedelta(hours=20), service_types=[service_type])

    with pytest.raises(TooSoonToBook):
        reschedule(
            session,
            public_id=booking.public_id,
            new_slot_id=soon.id,
            now=NOW,
            client_id=booking.client_id,
        )
