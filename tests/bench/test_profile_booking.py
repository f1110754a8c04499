"""The booking profiler (bench/profile_booking.py) at a tiny scale, so it cannot rot: it books
what it says through the app's own routes, and its figures, profile and SQL are of those
bookings."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from bench.datasets import Seeded, seed
from bench.profile_booking import WARMUP, app_for, profile, report
from core.models import BookedVia, Booking, Client
from tests.conftest import fresh_database
from web.extensions import limiter

TODAY = date(2026, 11, 24)
NOW = datetime.combine(TODAY, time(12), ZoneInfo("America/New_York")).astimezone(UTC)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with fresh_database(tmp_path_factory.mktemp("profile") / "ref.db", "bench_profile") as url:
        yield seed(url, "reference", scale=0.02, today=TODAY)


def _online_bookings(engine: Engine, email: str) -> int:
    with Session(engine) as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Booking)
                .join(Client, Client.id == Booking.client_id)
                .where(Booking.booked_via == BookedVia.WIDGET, Client.email == email)
            )
            or 0
        )


def test_the_profiler_books_through_the_app_and_reports_those_bookings(
    reference: Seeded,
) -> None:
    engine = create_engine(reference.database_url)
    before = _online_bookings(engine, reference.client_emails[0])
    profiler = cProfile.Profile()
    with app_for(reference.database_url, now=lambda: NOW) as app:
        figures = profile(
            app,
            reference.client_emails,
            reference.type_slugs,
            bookings=5,
            now=lambda: NOW,
            profiler=profiler,
            statements=True,
        )

    made = _online_bookings(engine, reference.client_emails[0]) - before
    engine.dispose()
    assert made == WARMUP + 5  # every booking is real, the untimed ones too
    assert len(figures.hold) == len(figures.confirm) == len(figures.cpu) == 5
    assert all(seconds > 0 for seconds in figures.hold + figures.confirm + figures.cpu)
    # The SQL of the timed bookings only: each claims a time twice (hold, confirm), books once.
    claims = [
        runs for sql, runs in figures.statements.items() if sql.startswith("UPDATE time_slot")
    ]
    assert sum(len(runs) for runs in claims) >= 2 * 5
    inserts = [
        runs for sql, runs in figures.statements.items() if sql.startswith("INSERT INTO booking")
    ]
    assert [len(runs) for runs in inserts] == [5]
    # The profile is of the booking service, called once per timed booking.
    calls = {
        (path, name): counts[1]
        for (path, _, name), counts in pstats.Stats(profiler).stats.items()  # type: ignore[attr-defined]
    }
    assert any(
        path.endswith("core/services/booking.py") and name == "book" and n == 5
        for (path, name), n in calls.items()
    )
    summary = figures.summary()  # what --output writes
    assert summary["bookings"] == 5 and summary["confirm"]["p50_ms"] > 0  # type: ignore[index]
    text = report(figures, statements=True)
    assert "confirm" in text and "INSERT INTO booking" in text
    # Its app shares the process's extensions: rate limits stay on for every other app.
    assert limiter.enabled
