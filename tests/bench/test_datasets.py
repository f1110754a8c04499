"""The benchmark scripts at a tiny scale, so they cannot rot: the studios seed what they promise,
the same way every time, and the app's own services find and book their times. On SQLite, or on
a scratch PostgreSQL database when DATABASE_URL points at a server."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from bench import bulk_copy, load, promo_engine, server
from bench.datasets import CLIENT_PASSWORD, CONTENTION_SLOTS, Seeded, seed
from bench.promo_mix import Scope, auto_promotions
from core.models import (
    Booking,
    BookingStatus,
    Client,
    Invoice,
    InvoiceLine,
    Promotion,
    PromotionCode,
    Redemption,
    ServiceType,
    SlotState,
    TimeSlot,
)
from core.services import availability
from core.services.accounts import authenticate_client
from core.services.booking import book, hold_slot
from core.services.promotions import _LOAD, _item_codes, to_rule
from tests.conftest import fresh_database

TODAY = date(2026, 11, 24)
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime.combine(TODAY, time(12), NEW_YORK).astimezone(UTC)  # the seed's "now"
SCALE = 0.02


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with fresh_database(tmp_path_factory.mktemp("bench") / "ref.db", "bench_ref") as url:
        yield seed(url, "reference", scale=SCALE, today=TODAY)


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with fresh_database(tmp_path_factory.mktemp("bench") / "large.db", "bench_large") as url:
        yield seed(url, "large", scale=SCALE, today=TODAY)


def _engine(seeded: Seeded) -> Engine:
    return create_engine(seeded.database_url)


def _count(session: Session, model: Any, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_reference_studio_has_32_slots_and_10_bookings_a_day(reference: Seeded) -> None:
    days = 1 + round(183 * SCALE) + 30  # the fewest future days kept at small scales
    engine = _engine(reference)
    with Session(engine) as session:
        assert _count(session, TimeSlot) == 32 * days
        assert _count(session, Booking, Booking.status == BookingStatus.BOOKED) == 10 * days
        assert _count(session, TimeSlot, TimeSlot.state == SlotState.BOOKED) == 10 * days
        # Each booking hid the free slots overlapping it, as auto-remove conflicts does.
        hidden = session.scalars(select(TimeSlot).where(TimeSlot.state == SlotState.HIDDEN)).all()
        assert hidden and all(slot.hidden_by_booking_id for slot in hidden)
        service_type = session.scalar(select(ServiceType))
        assert service_type is not None and service_type.auto_remove_conflicts
    engine.dispose()


def test_contention_slots_are_open_future_and_apart(reference: Seeded) -> None:
    engine = _engine(reference)
    with Session(engine) as session:
        slots = session.scalars(
            select(TimeSlot).where(TimeSlot.id.in_(reference.contention_slots))
        ).all()
    engine.dispose()
    assert len(slots) == CONTENTION_SLOTS
    assert all(s.state is SlotState.OPEN and s.start_at > NOW for s in slots)
    ordered = sorted(slots, key=lambda s: (s.resource_id, s.start_at))
    assert all(a.end_at <= b.start_at for a, b in pairwise(ordered))
    contention_days = {s.start_at.astimezone(NEW_YORK).date() for s in slots}
    assert not contention_days & set(reference.days)


@pytest.mark.parametrize("studio", ["reference", "large"])
def test_the_days_to_request_have_bookable_times(
    studio: str, request: pytest.FixtureRequest
) -> None:
    seeded: Seeded = request.getfixturevalue(studio)
    engine = _engine(seeded)
    with Session(engine) as session:
        service_type = session.scalar(
            select(ServiceType).where(ServiceType.slug == seeded.type_slugs[0])
        )
        assert service_type is not None
        for day in (seeded.days[0], seeded.days[-1]):
            start = datetime.combine(day, time(0), NEW_YORK).astimezone(UTC)
            starts = availability.bookable_starts(
                session,
                service_type_id=service_type.id,
                location_id=1,
                start=start,
                end=start + timedelta(days=1),
                now=NOW,
            )
            assert starts, f"no times on {day}"
    engine.dispose()
    assert seeded.months[0] == seeded.days[0].replace(day=1)
    assert len(seeded.client_emails) == 200


@pytest.mark.parametrize("studio", ["reference", "large"])
def test_a_seeded_client_logs_in_and_books_a_day_slot(
    studio: str, request: pytest.FixtureRequest
) -> None:
    """The app's own services on the seeded rows: new ids follow the seeded ones, the large
    studio's invoice and promotions are written as for any booking."""
    seeded: Seeded = request.getfixturevalue(studio)
    engine = _engine(seeded)
    with Session(engine) as session:
        client = authenticate_client(
            session, email=seeded.client_emails[0], password=CLIENT_PASSWORD
        )
        service_type = session.scalar(
            select(ServiceType).where(ServiceType.slug == seeded.type_slugs[0])
        )
        assert service_type is not None
        slot_id = session.scalar(
            select(TimeSlot.id)
            .join(TimeSlot.service_types)
            .where(ServiceType.id == service_type.id, TimeSlot.state == SlotState.OPEN)
            .where(TimeSlot.start_at > NOW, TimeSlot.id.notin_(seeded.contention_slots))
            .order_by(TimeSlot.start_at)
            .limit(1)
        )
        assert slot_id is not None
        hold = hold_slot(
            session,
            slot_id=slot_id,
            service_type_id=service_type.id,
            now=NOW,
            hold_for=timedelta(minutes=10),
        )
        booking = book(
            session,
            slot_id=slot_id,
            service_type_id=service_type.id,
            client_id=client.id,
            now=NOW,
            hold=hold,
        )
        assert booking.id == _count(session, Booking)
        has_invoice = _count(session, Invoice, Invoice.booking_id == booking.id) == 1
        assert has_invoice is service_type.auto_create_invoice
    engine.dispose()


def test_large_studio_volumes_scale(large: Seeded) -> None:
    engine = _engine(large)
    with Session(engine) as session:
        # (the booking test may have added one)
        assert large.counts and large.counts["booking"] == round(60000 * SCALE)
        assert _count(session, Booking, Booking.created_at < NOW) == round(60000 * SCALE)
        assert _count(session, Client) == 400
        assert _count(session, Promotion, Promotion.auto_apply.is_(True)) == 50
        assert _count(session, PromotionCode) == round(10000 * SCALE)
        assert _count(session, Invoice) == _count(session, Booking)
        # Every booking's slot is booked, and promotions were given and recorded.
        assert _count(session, TimeSlot, TimeSlot.state == SlotState.BOOKED) == _count(
            session, Booking
        )
        assert _count(session, Redemption) > 0
        assert _count(session, InvoiceLine, InvoiceLine.discount > 0) > 0
    engine.dispose()


def test_large_studio_promotions_are_the_benchmarked_ones(large: Seeded) -> None:
    """Read back as the app reads them (core.services.promotions.to_rule), the rows are the
    dataclasses bench/promo_engine.py measures, so its figure is about this studio's promotions."""
    engine = _engine(large)
    with Session(engine) as session:
        rows = list(
            session.scalars(
                select(Promotion)
                .where(Promotion.auto_apply.is_(True))
                .options(*_LOAD)
                .order_by(Promotion.id)
            )
        )
        stored = [to_rule(row, _item_codes(session, rows)) for row in rows]
    engine.dispose()
    scope = Scope(range(1, 31), range(1, 4), range(1, 11), TODAY)
    assert stored == auto_promotions(random.Random(20261124), scope)


def test_seeding_is_reproducible(tmp_path: Path) -> None:
    with (
        fresh_database(tmp_path / "one.db", "bench_one") as one,
        fresh_database(tmp_path / "two.db", "bench_two") as two,
    ):
        first = seed(one, "reference", scale=SCALE, today=TODAY)
        again = seed(two, "reference", scale=SCALE, today=TODAY)
        assert again.days == first.days
        assert again.contention_slots == first.contention_slots
        for table in ("client", "time_slot", "booking"):
            assert _dump(one, table) == _dump(two, table)


def _dump(url: str, table: str) -> list[Any]:
    """The table's rows, but password hashes: argon2 salts each hash at random."""
    engine = create_engine(url)
    with engine.connect() as conn:
        result = conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        rows = [row._asdict() for row in result]
    engine.dispose()
    return [{k: v for k, v in row.items() if k != "password_hash"} for row in rows]


def test_promo_engine_measures_evaluations() -> None:
    figures = promo_engine.measure(seconds=0.05)
    assert figures["evals_per_s"] > 0 and figures["offers"] == 51


def test_promo_mix_is_fixed_by_its_seed() -> None:
    scope = Scope(range(1, 31), range(1, 4), range(1, 11), TODAY)
    assert auto_promotions(random.Random(1), scope) == auto_promotions(random.Random(1), scope)


def test_bulk_copy_measures_seconds() -> None:
    figures = bulk_copy.measure()
    assert figures["seconds"] > 0 and figures["slots"] == 60 * 26


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("public, max-age=31536000, immutable", 31536000),
        ("no-cache", 0),
        ("max-age=60, no-cache", 0),
        ("no-store", 0),
        ("", 0),
        ("public, max-age=0", 0),
        ("Public, Max-Age=600", 600),
    ],
)
def test_the_next_page_asks_again_for_what_is_not_kept(header: str, seconds: int) -> None:
    assert load.kept_seconds(header) == seconds


@pytest.mark.parametrize(("asked", "served"), [("", None), ("3", 3), (" 2 ", 2)])
def test_the_bench_serves_one_worker_per_core_unless_asked(
    monkeypatch: pytest.MonkeyPatch, asked: str, served: int | None
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", asked)
    assert server.workers() == (served or os.cpu_count())


@pytest.mark.parametrize("asked", ["four", "0", "-1", "2.5"])
def test_a_worker_count_that_is_no_count_is_refused_clearly(
    monkeypatch: pytest.MonkeyPatch, asked: str
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", asked)
    with pytest.raises(SystemExit, match="whole number of workers"):
        server.workers()
