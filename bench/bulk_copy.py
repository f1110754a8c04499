"""Benchmark: copy a 60-slot template week to 26 weeks (the bulk create/copy tool, seed 001).

Seeds a fresh database: a SQLite file in a temporary folder, or, when DATABASE_URL names a
PostgreSQL server, a scratch database on it that is dropped afterwards (the named database itself
is never touched). One location, 3 resources x 5 days x 4 slots, each slot serving two types.
Times `plan_copy` + `create_planned` + commit, as the admin's "Create" does, and writes
{"bulk_copy": {"seconds": ..., "slots": ..., "database": ...}} to bench/results_bulk_copy.json.

    .venv/bin/python bench/bulk_copy.py      (or: -m bench.bulk_copy; importable: measure())
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bulk_copy.py
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from core.db import Base, scratch_database
from core.models import Location, Resource, ServiceKind, ServiceType, SlotState, TimeSlot
from core.services.slot_copy import create_planned, plan_copy

RESULTS = Path(__file__).resolve().parent / "results_bulk_copy.json"
TZ = "America/New_York"
SOURCE = date(2030, 1, 7)  # a Monday; the 26 weeks after it cross the March DST change
NOW = datetime(2030, 1, 1, tzinfo=UTC)
WEEKS = 26
STARTS = (time(9), time(11), time(13), time(15))


def seed_template_week(session: Session) -> int:
    """One location with 3 resources and a 60-slot week from SOURCE; returns the location id."""
    location = Location(name="bench", display_name="Bench", address="1 Main St", timezone=TZ)
    types = [
        ServiceType(
            kind=ServiceKind.SESSION,
            name=f"BENCH{n}",
            online_name=f"Bench session {n}",
            slug=f"bench-{n}",
            duration_minutes=90,
            online=True,
        )
        for n in (1, 2)
    ]
    resources = [Resource(name=f"Studio {n}", location=location) for n in "ABC"]
    session.add_all([location, *types, *resources])
    tz = ZoneInfo(TZ)
    for resource in resources:
        for day in range(5):
            for start in STARTS:
                start_at = datetime.combine(SOURCE + timedelta(days=day), start, tz).astimezone(UTC)
                session.add(
                    TimeSlot(
                        resource=resource,
                        location=location,
                        start_at=start_at,
                        end_at=start_at + timedelta(minutes=90),
                        state=SlotState.OPEN,
                        service_types=types,
                    )
                )
    session.commit()
    return location.id


def run() -> dict[str, object]:
    with (
        tempfile.TemporaryDirectory() as folder,
        scratch_database(
            os.environ.get("DATABASE_URL", ""), Path(folder) / "bench.db", "bench"
        ) as url,
    ):
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        try:
            with Session(engine) as session:
                location_id = seed_template_week(session)
                targets = [SOURCE + timedelta(weeks=n) for n in range(1, WEEKS + 1)]
                started = clock.perf_counter()
                plan = plan_copy(
                    session,
                    source_first_day=SOURCE,
                    source_days=7,
                    target_first_days=targets,
                    location_ids=[location_id],
                    now=NOW,
                )
                created = create_planned(session, plan)
                session.commit()
                seconds = clock.perf_counter() - started
                stored = session.scalar(select(func.count()).select_from(TimeSlot))
        finally:
            engine.dispose()
    if created.created != 60 * WEEKS or stored != 60 * (WEEKS + 1):
        raise SystemExit(f"expected {60 * WEEKS} slots copied, got {created}")
    return {
        "seconds": round(seconds, 3),
        "slots": created.created,
        "database": engine.dialect.name,
        "template_slots": 60,
        "target_weeks": WEEKS,
    }


def measure() -> dict[str, object]:
    """Seconds to copy the template week to 26 weeks, on a fresh database (see `run`)."""
    return run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    output = parser.parse_args().output
    result = json.dumps({"bulk_copy": run()}, indent=2)
    output.write_text(result + "\n")
    print(result)


if __name__ == "__main__":
    main()
