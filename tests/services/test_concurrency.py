"""No double booking under concurrent requests: many sessions race for one slot on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import BookedVia, Booking, BookingStatus, SlotState, TimeSlot
from core.services.booking import book, cancel, hold_slot
from core.services.errors import NotCancellable, SlotTaken
from tests.concurrency import race as race_together
from tests.concurrency import racing_engine_for
from tests.conftest import NOW

pytestmark = pytest.mark.postgres

THREADS = 20


@pytest.fixture
def racing_engine(database_url: str, clean_db: Engine) -> Iterator[Engine]:
    engine = racing_engine_for(database_url, THREADS)
    yield engine
    engine.dispose()


def _race(engine: Engine, attempt: Callable[[Session, int], object]) -> Counter[str]:
    return race_together(engine, attempt, threads=THREADS)


def _live_bookings(session: Session, slot: TimeSlot) -> int:
    stmt = select(func.count()).where(
        Booking.slot_id == slot.id, Booking.status == BookingStatus.BOOKED
    )
    return session.scalar(stmt) or 0


def test_only_one_of_many_concurrent_bookings_of_a_slot_succeeds(
    session: Session, core_make: Any, racing_engine: Engine
) -> None:
    slot = core_make.slot(NOW + timedelta(days=1))
    service_type_id = slot.service_types[0].id
    client_ids = [core_make.client().id for _ in range(THREADS)]

    outcomes = _race(
        racing_engine,
        lambda s, n: book(
            s,
            slot_id=slot.id,
            service_type_id=service_type_id,
            client_id=client_ids[n],
            now=NOW,
            via=BookedVia.STAFF,
        ),
    )

    assert outcomes == Counter({"won": 1, SlotTaken.__name__: THREADS - 1})
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Booking)) == 1
    assert session.get_one(TimeSlot, slot.id).state is SlotState.BOOKED


def test_only_one_of_many_concurrent_holds_on_a_slot_succeeds(
    session: Session, core_make: Any, racing_engine: Engine
) -> None:
    slot = core_make.slot(NOW + timedelta(days=1))
    service_type_id = slot.service_types[0].id
    tokens: list[str] = []

    def attempt(s: Session, n: int) -> None:
        hold = hold_slot(
            s,
            slot_id=slot.id,
            service_type_id=service_type_id,
            now=NOW,
            hold_for=timedelta(minutes=10),
        )
        tokens.append(hold.token)

    outcomes = _race(racing_engine, attempt)

    assert outcomes == Counter({"won": 1, SlotTaken.__name__: THREADS - 1})
    session.expire_all()
    held = session.get_one(TimeSlot, slot.id)
    assert (held.state, [held.hold_token]) == (SlotState.HELD, tokens)


def test_only_one_of_many_concurrent_cancellations_of_a_booking_succeeds(
    session: Session, core_make: Any, racing_engine: Engine
) -> None:
    slot = core_make.slot(NOW + timedelta(days=1))
    client = core_make.client()
    booking = book(
        session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        client_id=client.id,
        now=NOW,
    )

    outcomes = _race(
        racing_engine,
        lambda s, n: cancel(s, public_id=booking.public_id, now=NOW, client_id=client.id),
    )

    # Each cancellation releases what the booking held (its slot, later its promotion code).
    assert outcomes == Counter({"won": 1, NotCancellable.__name__: THREADS - 1})
    session.expire_all()
    assert _live_bookings(session, slot) == 0
    assert session.get_one(TimeSlot, slot.id).state is SlotState.OPEN
