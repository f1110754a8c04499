"""Where a booking's time goes: a seeded studio's logged-in client holds and confirms times
through the app in this process (Flask's test client: no HTTP, no gunicorn, no other process's
noise), one after another, and the steps are timed, profiled and their SQL listed.

    python -m bench.profile_booking reference --bookings 150 --cprofile booking.prof --statements

Prints p50/p95 of the hold, the confirm and the CPU time of both; `--cprofile` writes the
profile of the timed bookings, their review page too (`python -m pstats booking.prof`);
`--statements` lists the SQL of a booking, slowest first (either adds its own overhead to the
times: time without them); `--output` writes the figures as JSON.
Seeds the studio into a scratch database (a SQLite file, or on the PostgreSQL server of
DATABASE_URL) unless `--database` names one `bench.datasets` seeded.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session

from bench import datasets
from bench.load import percentile
from bench.run import analyze
from core.db import scratch_database
from core.models import Client, ServiceType, SlotState, TimeSlot
from core.services import read_cache
from web.extensions import db
from wsgi import create_app

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
WARMUP = 10  # bookings before the timed ones: the process's caches filled, as on a live server


@dataclass
class Figures:
    hold: list[float] = field(default_factory=list)  # seconds of wall time per booking
    confirm: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this thread's CPU time, hold + confirm
    statements: dict[str, list[float]] = field(default_factory=dict)  # SQL -> seconds, each run

    def summary(self) -> dict[str, object]:
        def ms(values: list[float], fraction: float) -> float:
            return round(percentile(values, fraction) * 1000, 2)

        return {
            step: {"p50_ms": ms(values, 0.5), "p95_ms": ms(values, 0.95)}
            for step, values in (("hold", self.hold), ("confirm", self.confirm), ("cpu", self.cpu))
        } | {"bookings": len(self.hold)}


class Booker:
    """A logged-in client booking times of one type through the app's own routes."""

    def __init__(self, app: Flask, email: str) -> None:
        self.client: FlaskClient = app.test_client()
        self.token = self._token("/login")
        password = datasets.CLIENT_PASSWORD
        reply = self._post("/login", {"email": email, "password": password, "next": ""})
        if reply.status_code != 303:
            raise RuntimeError(f"login of {email} answered {reply.status_code}")
        self.token = self._token("/book")  # the session's own token, after login

    def _token(self, path: str) -> str:
        found = CSRF.search(self.client.get(path).get_data(as_text=True))
        if found is None:
            raise RuntimeError(f"{path} carries no CSRF token")
        return found.group(1)

    def _post(self, path: str, fields: Mapping[str, object]) -> Any:
        return self.client.post(path, data={"csrf_token": self.token, **fields})

    def book(self, slug: str, slot_id: int) -> tuple[float, float, float] | str:
        """(hold, confirm, CPU) seconds, or the step that did not book: 'hold', 'payment'..."""
        cpu, started = time.thread_time(), time.perf_counter()
        held = self._post(f"/book/{slug}/hold", {"slot_id": slot_id})
        hold = time.perf_counter() - started
        cpu = time.thread_time() - cpu
        if held.status_code != 303:
            return "hold"
        self.client.get("/book/checkout")  # the review page, as a client sees it (not timed)
        more, started = time.thread_time(), time.perf_counter()
        confirmed = self._post("/book/confirm", {})
        confirm = time.perf_counter() - started
        cpu += time.thread_time() - more
        where = confirmed.headers.get("Location", "")
        if confirmed.status_code == 303 and "/book/confirmed/" in where:
            return hold, confirm, cpu
        return "payment" if where.endswith("/pay") else "confirm"


def open_times(app: Flask, slug: str, now: datetime) -> list[int]:
    """The type's open future times, soonest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(TimeSlot.id)
                .join(TimeSlot.service_types)
                .where(ServiceType.slug == slug, TimeSlot.state == SlotState.OPEN)
                .where(TimeSlot.start_at > now)
                .order_by(TimeSlot.start_at, TimeSlot.id)
            )
        )


def still_open(app: Flask, slot_id: int) -> bool:
    """Whether a time is still open (a booking hides the times overlapping it)."""
    with app.app_context():
        state = db.session.scalar(select(TimeSlot.state).where(TimeSlot.id == slot_id))
        return state is SlotState.OPEN


@contextmanager
def statements_of(engine: Engine, into: dict[str, list[float]]) -> Iterator[None]:
    """Record each statement's SQL and seconds while the block runs."""

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seconds = time.perf_counter() - conn.info.pop("bench_started")
        into.setdefault(" ".join(statement.split()), []).append(seconds)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def profile(
    app: Flask,
    emails: list[str],
    slugs: list[str],
    *,
    bookings: int,
    now: Callable[[], datetime],
    profiler: cProfile.Profile | None = None,
    statements: bool = False,
) -> Figures:
    """Book `bookings` times (after WARMUP untimed ones) with the first type that asks no
    payment, by one client; time each, inside `profiler` if given."""
    booker = Booker(app, emails[0])
    figures = Figures()
    with app.app_context():
        engine = db.engine
    for slug in slugs:
        made = 0
        for slot_id in open_times(app, slug, now()):
            if not still_open(app, slot_id):
                continue
            timed = made >= WARMUP
            recording = statements_of(engine, figures.statements) if timed and statements else None
            with recording or nullcontext():
                if timed and profiler:
                    profiler.enable()
                outcome = booker.book(slug, slot_id)
                if timed and profiler:
                    profiler.disable()
            if outcome == "payment":
                break  # this type asks for payment online: the next one
            if isinstance(outcome, tuple):
                made += 1
                if timed:
                    figures.hold.append(outcome[0])
                    figures.confirm.append(outcome[1])
                    figures.cpu.append(outcome[2])
                if made == WARMUP + bookings:
                    return figures
        if made:
            raise RuntimeError(f"{slug} has only {made} open times for {bookings} bookings")
    raise RuntimeError("no type books without payment")


def report(figures: Figures, *, statements: bool) -> str:
    lines = [f"{'step':<10}{'p50 ms':>10}{'p95 ms':>10}"]
    for step, values in figures.summary().items():
        if isinstance(values, dict):
            lines.append(f"{step:<10}{values['p50_ms']:>10}{values['p95_ms']:>10}")
    lines.append(f"{len(figures.hold)} bookings timed, after {WARMUP} untimed")
    if statements:
        lines.append("\nper booking: runs, ms, statement (slowest first)")
        count = max(1, len(figures.hold))
        ranked = sorted(figures.statements.items(), key=lambda item: -sum(item[1]))
        for sql, runs in ranked:
            lines.append(f"{len(runs) / count:5.2f} {sum(runs) / count * 1000:7.3f}  {sql[:110]}")
    return "\n".join(lines)


@contextmanager
def app_for(database_url: str, now: Callable[[], datetime] | None = None) -> Iterator[Flask]:
    """The app on `database_url` (its connections closed after the block). Only settings of
    this app: the extensions are shared (Flask-Limiter's `RATELIMIT_ENABLED` would switch rate
    limits off in every app of the process; the booking routes have none anyway)."""
    config: dict[str, object] = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": os.urandom(16).hex(),
        "MAIL_SENDER_THREAD": False,  # queued unwritten with the booking; no one writes or sends it
        "PAYMENT_GATEWAY": "test",
    }
    if now is not None:
        config["CLOCK"] = now
    app = create_app(config)
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def studio_arguments(parser: argparse.ArgumentParser, *, bookings: int) -> None:
    """The studio to book at, how many bookings, and the seeded database (or the scale to seed)."""
    parser.add_argument("studio", choices=["reference", "large"])
    parser.add_argument("--bookings", type=positive_count, default=bookings)
    parser.add_argument("--scale", type=float, default=1.0, help="of the studio seeded")
    parser.add_argument("--database", help="a database bench.datasets seeded with the studio")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    studio_arguments(parser, bookings=150)
    parser.add_argument("--cprofile", type=Path, help="write the timed bookings' profile here")
    parser.add_argument("--statements", action="store_true", help="list a booking's SQL")
    parser.add_argument("--output", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    profiler = cProfile.Profile() if args.cprofile else None
    with (
        tempfile.TemporaryDirectory(prefix="studiobook-profile-") as folder,
        _database(args, Path(folder)) as (url, emails, slugs),
        app_for(url) as app,
    ):
        figures = profile(
            app,
            emails,
            slugs,
            bookings=args.bookings,
            now=lambda: datetime.now(UTC),
            profiler=profiler,
            statements=args.statements,
        )
        # The read cache's listener (a daemon thread) loses its connection when the scratch
        # database is dropped next: expected here, not a warning to show.
        logging.getLogger(read_cache.__name__).setLevel(logging.ERROR)
    print(report(figures, statements=args.statements))
    if args.output:
        summary = {"studio": args.studio, "scale": args.scale, **figures.summary()}
        args.output.write_text(json.dumps(summary, indent=2) + "\n")
    if profiler and args.cprofile:
        profiler.dump_stats(args.cprofile)
        print(f"profile written to {args.cprofile}")


def positive_count(text: str) -> int:
    number = int(text) if text.strip().isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of bookings above 0")
    return number


@contextmanager
def _database(args: argparse.Namespace, folder: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """(URL, client emails, type slugs) of a seeded studio: the one named, or a scratch one."""
    if args.database:
        engine = create_engine(args.database)
        with Session(engine) as session:
            emails = list(session.scalars(select(Client.email).order_by(Client.id).limit(1)))
            slugs = list(session.scalars(select(ServiceType.slug).order_by(ServiceType.id)))
        engine.dispose()
        yield args.database, emails, slugs
        return
    server_url = os.environ.get("DATABASE_URL", "")
    with scratch_database(server_url, folder / "profile.db", "bench_profile") as url:
        print(f"seeding the {args.studio} studio (scale {args.scale}) ...", file=sys.stderr)
        seeded = datasets.seed(url, args.studio, scale=args.scale)
        analyze(url)
        yield url, seeded.client_emails, seeded.type_slugs


if __name__ == "__main__":
    main()
