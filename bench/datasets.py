"""The benchmark studios (issue 9), seeded reproducibly into an empty database.

"reference": one location, one resource open 09:00-18:00 with a 14:30-15:00 break, a 30-minute
type on a 15-minute grid (so slots overlap, and booking one hides its neighbours, as the type's
"auto-remove conflicts" does in the product), 18 months of slots, 10 bookings a day.
"large": 3 locations, 10 resources, 30 types, 18 months of slots, 60,000 bookings with their
invoices and the promotions they got, 20,000 clients, 50 auto-applied promotions, 10,000
single-use codes (bench/large_studio.py).

`scale` shrinks the volumes (months of slots, bookings, clients, codes), not the studio's set-up.
The schema is built by the Alembic migrations, as `flask db upgrade` does, so the app served on it
is the production one. Rows are inserted in bulk with ids of our own (bench/rows.py).

    .venv/bin/python -m bench.datasets reference sqlite:////tmp/ref.db [--scale 0.1]
"""

from __future__ import annotations

import argparse
import logging
import random
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, create_engine
from sqlalchemy.orm import Session

from bench.rows import Writer, calendar_uid, client_rows, day_range, public_id, starts_between
from core.models import (
    BookedVia,
    Booking,
    BookingStatus,
    Client,
    Location,
    Resource,
    ServiceKind,
    ServiceType,
    SlotAccess,
    SlotState,
    Staff,
    StaffRole,
    Studio,
    TimeSlot,
    slot_service_type,
)
from core.services.accounts import hash_password
from core.services.settings import ensure_default_lists

CLIENT_PASSWORD = "bench-client"
STAFF_EMAIL = "bench@studiobook.test"  # administrator, password CLIENT_PASSWORD
CONTENTION_SLOTS = 60
LOGIN_CLIENTS = 200  # clients offered to the load generator (all can log in)


@dataclass(frozen=True)
class Seeded:
    name: str  # "reference" | "large"
    database_url: str
    type_slugs: list[str]  # online session-type slugs whose days/months to request
    days: list[date]  # days with open slots (local dates), to request in day_slots/book
    months: list[date]  # first days of months to request in month_view
    client_emails: list[str]  # clients that can log in (password CLIENT_PASSWORD) to book
    contention_slots: list[int]  # open future slots kept for the contention rounds
    counts: dict[str, int] | None = None  # rows written per table
    timings: dict[str, float] | None = None  # seconds per step


@dataclass(frozen=True)
class Plan:
    """What to seed: the dates around today, the volumes at this scale, the random source."""

    scale: float
    seed: int
    rng: random.Random
    today: date  # local date at the studio
    now: datetime  # aware; bookings are made before it

    def volume(self, full: int, least: int = 1) -> int:
        return max(least, round(full * self.scale))

    @property
    def days(self) -> list[date]:
        """About 6 months before today to 12 after (at scale 1)."""
        return day_range(self.today, self.volume(183, 3), self.volume(365, 30))


def seed(
    database_url: str,
    which: str,
    *,
    scale: float = 1.0,
    random_seed: int = 20261124,
    today: date | None = None,
) -> Seeded:
    """Migrate the empty database at `database_url` and fill it with studio `which`.

    The same arguments write the same rows. `today` (the studio's local date) defaults to the
    real one, so the app, reading the real clock, sees future slots; given, bookings are made
    up to its noon.
    """
    if which not in _STUDIOS:
        raise ValueError(f"no dataset {which!r}: choose one of {', '.join(_STUDIOS)}")
    tz = ZoneInfo("America/New_York")
    if today is None:
        now = datetime.now(UTC)
        today = now.astimezone(tz).date()
    else:
        now = datetime.combine(today, time(12), tz).astimezone(UTC)
    plan = Plan(scale, random_seed, random.Random(f"{which}-{random_seed}"), today, now)
    started = clock.perf_counter()
    migrate(database_url)
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            writer = Writer(session, which)
            writer.timings["schema"] = round(clock.perf_counter() - started, 2)
            seeded = _STUDIOS[which](writer, plan)
            writer.move_sequences_past_ids()
            with writer.step("commit"):
                session.commit()
    finally:
        engine.dispose()
    writer.timings["total"] = round(clock.perf_counter() - started, 2)
    return Seeded(
        **{**seeded, "name": which, "database_url": database_url},
        counts=writer.counts,
        timings=writer.timings,
    )


def migrate(database_url: str) -> None:
    """`flask db upgrade` on the database, leaving the process's logging as it was (Alembic's
    env.py reconfigures it)."""
    from flask_migrate import upgrade

    from web.extensions import db
    from wsgi import create_app

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = {
        name: logger.disabled
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-seed"})
    try:
        with app.app_context():
            upgrade()
            db.session.remove()
            db.engine.dispose()
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, logger in logging.Logger.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.disabled = loggers.get(name, False)


def studio_basics(writer: Writer, plan: Plan, clients: int) -> list[str]:
    """The studio, its administrator, default lists and `clients` clients; their emails."""
    session = writer.session
    session.add(Studio(name=f"Bench {writer.label} studio", currency="USD", locale="en_US"))
    password = hash_password(CLIENT_PASSWORD)  # once: argon2 is slow on purpose
    session.add(
        Staff(
            id=1,
            name="Bench Admin",
            email=STAFF_EMAIL,
            password_hash=password,
            role=StaffRole.ADMINISTRATOR,
            slot_access=SlotAccess.FULL,
        )
    )
    ensure_default_lists(session)
    rows = client_rows(plan.rng, clients, password, plan.now)
    writer.insert(Client.__table__, rows)
    writer.counts["staff"] = 1
    return [row["email"] for row in rows[:LOGIN_CLIENTS]]


def booking_row(
    plan: Plan, booking_id: int, slot: dict[str, Any], type_id: int, client_id: int
) -> dict[str, Any]:
    """A live booking of the slot, made before it started (and before now), online or by staff."""
    rng = plan.rng
    start = slot["start_at"]
    latest = min(plan.now, start - timedelta(hours=1))
    created = latest - timedelta(minutes=rng.randrange(0, 40 * 24 * 60))
    online = rng.random() < 0.7
    return {
        "id": booking_id,
        "public_id": public_id(rng),
        "client_id": client_id,
        "slot_id": slot["id"],
        "service_type_id": type_id,
        "status": BookingStatus.BOOKED,
        "description": "" if online else "Booked by phone",
        "booked_via": BookedVia.WIDGET if online else BookedVia.STAFF,
        "booked_by_id": None if online else 1,
        "created_at": created,
        "notes": "",
        "calendar_uid": calendar_uid(rng),
        "calendar_sequence": 0,
    }


def requests_for(
    plan: Plan, slots: list[dict[str, Any]], tz: ZoneInfo, contention: list[int]
) -> tuple[list[date], list[date]]:
    """Future days with open slots (not the contention rounds' days) and their months."""
    kept = set(contention)
    contention_days = {s["day"] for s in slots if s["id"] in kept}
    days = sorted(
        {
            s["day"]
            for s in slots
            if s["state"] is SlotState.OPEN
            and s["day"] > plan.today
            and s["day"] not in contention_days
        }
    )
    months = sorted({day.replace(day=1) for day in days})
    return days, months


def _reference(writer: Writer, plan: Plan) -> dict[str, Any]:
    rng = plan.rng
    tz = ZoneInfo("America/New_York")
    with writer.step("studio and clients"):
        emails = studio_basics(writer, plan, plan.volume(2000, LOGIN_CLIENTS))
        clients = writer.counts["client"]
        writer.insert(
            Location.__table__,
            [
                {
                    "id": 1,
                    "name": "reference",
                    "display_name": "Reference Studio",
                    "address": "1 Bench Street, Brooklyn, NY 11249",
                    "timezone": tz.key,
                }
            ],
        )
        writer.insert(Resource.__table__, [{"id": 1, "name": "Studio A", "location_id": 1}])
        writer.insert(
            ServiceType.__table__,
            [
                {
                    "id": 1,
                    "kind": ServiceKind.SESSION,
                    "name": "HEAD30",
                    "online": True,
                    "online_name": "Headshots",
                    "marketing_description": "Thirty minutes, two looks, retouched files.",
                    "slug": "headshots",
                    "duration_minutes": 30,
                    "display_price": 9500,
                    "auto_remove_conflicts": True,
                }
            ],
        )
    with writer.step("slots"):
        slots: list[dict[str, Any]] = []
        by_day: dict[date, list[dict[str, Any]]] = {}
        for day in plan.days:
            spans = starts_between(day, tz, time(9), time(14, 30), 15, 30)
            spans += starts_between(day, tz, time(15), time(18), 15, 30)
            by_day[day] = []
            for start, end in spans:
                slot = _slot_row(len(slots) + 1, 1, 1, start, end, day)
                slots.append(slot)
                by_day[day].append(slot)
    with writer.step("bookings"):
        bookings = []
        hidden: list[dict[str, int]] = []
        for day_slots in by_day.values():
            chosen: list[dict[str, Any]] = []
            for slot in rng.sample(day_slots, len(day_slots)):
                if len(chosen) == 10:
                    break
                if not any(_overlap(slot, other) for other in chosen):
                    chosen.append(slot)
            for slot in sorted(chosen, key=lambda s: s["start_at"]):
                booking = booking_row(plan, len(bookings) + 1, slot, 1, rng.randrange(clients) + 1)
                bookings.append(booking)
                slot["state"] = SlotState.BOOKED
            # Booking hid the free slots overlapping it (the first booking to overlap one).
            for booking in sorted(
                bookings[len(bookings) - len(chosen) :], key=lambda b: b["created_at"]
            ):
                slot = next(s for s in chosen if s["id"] == booking["slot_id"])
                for other in day_slots:
                    if other["state"] is SlotState.OPEN and _overlap(slot, other):
                        other["state"] = SlotState.HIDDEN
                        hidden.append({"slot_id": other["id"], "booking_id": booking["id"]})
        contention = _contention_slots(plan, by_day)
    with writer.step("insert"):
        writer.insert(TimeSlot.__table__, [_without_day(s) for s in slots])
        writer.insert(
            slot_service_type, [{"slot_id": s["id"], "service_type_id": 1} for s in slots]
        )
        writer.insert(Booking.__table__, bookings)
        set_hidden_by(writer, hidden)
    days, months = requests_for(plan, slots, tz, contention)
    return {
        "type_slugs": ["headshots"],
        "days": days,
        "months": months,
        "client_emails": emails,
        "contention_slots": contention,
    }


def _slot_row(
    slot_id: int, resource_id: int, location_id: int, start: datetime, end: datetime, day: date
) -> dict[str, Any]:
    return {
        "id": slot_id,
        "start_at": start,
        "end_at": end,
        "resource_id": resource_id,
        "location_id": location_id,
        "state": SlotState.OPEN,
        "overridable": False,
        "day": day,  # local; not a column (see _without_day)
    }


def _without_day(slot: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in slot.items() if key != "day"}


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["start_at"] < b["end_at"] and b["start_at"] < a["end_at"])


def _contention_slots(plan: Plan, by_day: dict[date, list[dict[str, Any]]]) -> list[int]:
    """CONTENTION_SLOTS open slots, none overlapping another, from the last days backwards:
    booking one of them hides none of the others."""
    chosen: list[dict[str, Any]] = []
    for day in sorted(by_day, reverse=True):
        if day <= plan.today + timedelta(days=1) or len(chosen) >= CONTENTION_SLOTS:
            break
        for slot in by_day[day]:
            if slot["state"] is SlotState.OPEN and not any(_overlap(slot, c) for c in chosen):
                chosen.append(slot)
    if len(chosen) < CONTENTION_SLOTS:
        raise RuntimeError(f"only {len(chosen)} free slots for the contention rounds")
    return [slot["id"] for slot in chosen[:CONTENTION_SLOTS]]


def set_hidden_by(writer: Writer, hidden: list[dict[str, int]]) -> None:
    """Hidden slots point at the booking that hid them (written once bookings exist)."""
    table = TimeSlot.__table__
    statement = (
        table.update()
        .where(table.c.id == bindparam("slot_id"))
        .values(hidden_by_booking_id=bindparam("booking_id"))
    )
    for start in range(0, len(hidden), 5000):
        writer.session.execute(statement, hidden[start : start + 5000])


def _large(writer: Writer, plan: Plan) -> dict[str, Any]:
    from bench.large_studio import seed_large

    return seed_large(writer, plan)


_STUDIOS = {"reference": _reference, "large": _large}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=sorted(_STUDIOS))
    parser.add_argument("database_url")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    seeded = seed(args.database_url, args.which, scale=args.scale)
    print(f"{seeded.name}: {seeded.timings} {seeded.counts}")
    print(f"  {len(seeded.days)} days, {len(seeded.months)} months, slugs {seeded.type_slugs}")


if __name__ == "__main__":
    main()
