"""Bulk writing for the benchmark datasets: rows with ids of our own, inserted many at a time.

Ids are given in Python (the database starts empty), so related rows are written without reading
anything back; on PostgreSQL each table's sequence is moved past them afterwards, so the app's own
inserts carry on from there.
"""

from __future__ import annotations

import base64
import random
import sys
import time as clock
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from core.db import Base
from core.rules.calendar import local_to_utc

CHUNK = 5000
FIRST_NAMES = ("Alex", "Sam", "Priya", "Jordan", "Maya", "Chen", "Noor", "Lena", "Omar", "Ines")
LAST_NAMES = ("Rivera", "Shah", "Okafor", "Lee", "Chen", "Novak", "Haddad", "Silva", "Berg")


@dataclass
class Writer:
    """Inserts rows table by table, counting them and timing each step (printed to stderr)."""

    session: Session
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def insert(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(rows), CHUNK):
            self.session.execute(table.insert(), list(rows[start : start + CHUNK]))
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = clock.perf_counter()
        yield
        seconds = clock.perf_counter() - started
        self.timings[name] = round(seconds, 2)
        print(f"  seed {self.label}: {name} {seconds:.2f} s", file=sys.stderr, flush=True)

    def move_sequences_past_ids(self) -> None:
        """PostgreSQL: each serial id sequence continues after the ids given here."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        tables = Base.metadata.tables
        for name in self.counts:
            if "id" not in tables[name].c:  # link tables: no serial id
                continue
            self.session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                    f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}"), false) '
                    "WHERE pg_get_serial_sequence(:t, 'id') IS NOT NULL"
                ),
                {"t": name},
            )


def public_id(rng: random.Random) -> str:
    """Like core.models._types.new_public_id (22 url-safe characters), but from the seed."""
    return base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=")


def calendar_uid(rng: random.Random) -> str:
    return f"{rng.randbytes(16).hex()}@studiobook"


def day_range(today: date, before: int, after: int) -> list[date]:
    """The days from `before` days before today to `after` days after it, today included."""
    return [today + timedelta(days=n) for n in range(-before, after + 1)]


def starts_between(
    day: date, tz: ZoneInfo, opens: time, closes: time, every: int, minutes: int
) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of slots of `minutes` every `every` minutes that fit [opens, closes)."""
    slots = []
    at = datetime.combine(day, opens)
    last = datetime.combine(day, closes) - timedelta(minutes=minutes)
    while at <= last:
        try:
            start = local_to_utc(day, at.time(), tz)
        except ValueError:  # a time the clocks skip: no slot, as the admin would refuse it
            at += timedelta(minutes=every)
            continue
        slots.append((start, start + timedelta(minutes=minutes)))
        at += timedelta(minutes=every)
    return slots


def client_rows(
    rng: random.Random, count: int, password_hash: str, created: datetime
) -> list[dict[str, Any]]:
    """`count` clients with ids 1..count; some hold a membership, a few a standing discount."""
    rows = []
    for n in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append(
            {
                "id": n,
                "name": f"{first} {last}",
                "email": f"client{n}@example.com",  # .test is refused by the login form
                "phone": f"+1 555 {n:07d}",
                "password_hash": password_hash,
                "created_at": created - timedelta(days=rng.randrange(1, 900)),
                "do_not_market": rng.random() < 0.6,
                "is_member": rng.random() < 0.1,
                "standing_discount": Decimal(5) if rng.random() < 0.01 else Decimal(0),
            }
        )
    return rows
