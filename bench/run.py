"""`make bench`: seed the reference and the large studio, serve each under gunicorn, measure, and
write bench/results.json (the shape of issue 9) and a short table.

    .venv/bin/python -m bench.run                      # SQLite, BENCH_SCALE or 1.0
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python -m bench.run
    .venv/bin/python -m bench.run --smoke              # CI: scale 0.02, few requests, 1 round

Exits 1 when a contention round booked a slot other than exactly once, or anything answered 5xx.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import sys
import tempfile
import time as clock
from collections import Counter
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import create_engine, func, select, text

from bench import bulk_copy, datasets, promo_engine, server
from bench.load import (
    Browser,
    Request,
    book,
    contend,
    latencies,
    page_weight,
    summary,
    throughput,
)
from bench.report import DATASETS, SIZES, failures, table
from core.db import scratch_database
from core.models import Booking, BookingStatus, ServiceType
from core.models.schedule import slot_service_type

RESULTS = Path(__file__).resolve().parent / "results.json"
DAY = {"HX-Request": "true", "HX-Target": "day-times"}
MONTH = {"HX-Request": "true", "HX-Target": "slot-picker"}
DAY_LINK = re.compile(r'class="day" [^>]*hx-get="([^"]+)"')  # a day with times, not a full one
HOLD_FORM = re.compile(rb'action="/book/([\w-]+)/hold".*?name="slot_id" value="(\d+)"', re.DOTALL)


@dataclass(frozen=True)
class Plan:
    """How much to measure: every figure is bounded in count and in seconds."""

    scale: float = 1.0
    latency_count: int = 400
    latency_seconds: float = 20.0
    book_count: int = 200
    book_warmup: int = 16  # bookings first, untimed: each worker compiles the booking's templates
    book_seconds: float = 30.0
    throughput_seconds: float = 5.0
    throughput_clients: int = 16
    contention_rounds: int = 20
    floor_count: int = 300
    promo_seconds: float = 2.0
    sample_pairs: int = 12  # (type, location) pairs whose days and months are asked for
    seed: int = 20261124


SMOKE = Plan(
    scale=0.02,
    latency_count=30,
    latency_seconds=5.0,
    book_count=5,
    book_warmup=2,
    book_seconds=10.0,
    throughput_seconds=1.0,
    contention_rounds=1,
    floor_count=30,
    promo_seconds=0.2,
    sample_pairs=4,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="scale 0.02, few requests (CI)")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1.0)))
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    plan = SMOKE if args.smoke else replace(Plan(), scale=args.scale)
    started = clock.monotonic()
    results = run(plan, os.environ.get("DATABASE_URL", ""), smoke=args.smoke)
    results["seconds"] = round(clock.monotonic() - started, 1)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten to {args.output} in {results['seconds']} s")
    problems = failures(results)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    sys.exit(1 if problems else 0)


def run(plan: Plan, server_url: str, *, smoke: bool) -> dict[str, object]:
    results: dict[str, object] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "smoke": smoke,
        "plan": asdict(plan),
    }
    with tempfile.TemporaryDirectory(prefix="studiobook-bench-") as folder:
        for which in DATASETS:
            db_file = Path(folder) / f"{which}.db"
            with scratch_database(server_url, db_file, f"bench_{which}") as url:
                print(f"seeding the {which} studio (scale {plan.scale}) ...", flush=True)
                seeded = datasets.seed(url, which, scale=plan.scale, random_seed=plan.seed)
                analyze(url)
                if "machine" not in results:
                    results["machine"] = server.machine(url)
                    results["database"] = "sqlite" if url.startswith("sqlite") else "postgresql"
                print(f"measuring the {which} studio ...", flush=True)
                with server.serve(url, Path(folder) / "gunicorn.log") as (host, port):
                    figures = measure_studio(host, port, seeded, plan)
                figures["dataset"] = {
                    "rows": getattr(seeded, "counts", None),
                    "seed_seconds": getattr(seeded, "timings", None),
                }
                results[which] = figures
        for which in DATASETS:  # the figures the issue keeps at the top: the reference studio's
            figures = results[which]
            assert isinstance(figures, dict)
            results.setdefault("page_weight", figures.pop("page_weight"))
            results.setdefault("floor", figures["floor"])
            results.setdefault("throughput", figures["throughput"])
            results.setdefault("contention", figures["contention"])
    results["promo_engine"] = promo_engine.measure(seconds=plan.promo_seconds)
    results["bulk_copy"] = bulk_copy.measure()
    machine = results["machine"]
    assert isinstance(machine, dict)
    machine["load_average_after"] = [round(n, 2) for n in os.getloadavg()]  # others' work too
    return results


def measure_studio(host: str, port: int, seeded: datasets.Seeded, plan: Plan) -> dict[str, object]:
    def browser(n: int) -> Browser:
        return Browser(host, port, address=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")

    figures: dict[str, object] = {}
    scout = browser(1)
    figures["floor"] = latencies(
        scout, [("/healthz", {})], count=plan.floor_count, seconds=plan.latency_seconds
    )
    first_slug = seeded.type_slugs[0]
    figures["page_weight"] = page_weight(browser(2), f"/book/{first_slug}")
    figures["page_weight"]["home"] = page_weight(browser(3), "/book")
    days, months = picker_requests(scout, seeded, plan)
    offered: list[tuple[str, int]] = []
    figures["day_slots"] = latencies(
        scout,
        days,
        count=plan.latency_count,
        seconds=plan.latency_seconds,
        seen=lambda reply: offered.extend(bookable(reply.body)),
    )
    figures["month_view"] = latencies(
        scout, months, count=plan.latency_count, seconds=plan.latency_seconds
    )
    home = throughput(
        browser, [("/book", {})], clients=plan.throughput_clients, seconds=plan.throughput_seconds
    )
    day = throughput(
        lambda n: browser(100 + n),
        days,
        clients=plan.throughput_clients,
        seconds=plan.throughput_seconds,
    )
    figures["throughput"] = {
        "home_rps": home["rps"],
        "day_slots_rps": day["rps"],
        "home": home,
        "day_slots": day,
    }
    clients = [browser(1000 + n) for n in range(max(SIZES))]
    for client, email in zip(clients, seeded.client_emails, strict=False):
        client.log_in(email, datasets.CLIENT_PASSWORD)
    clients = [client for client in clients if "studiobook" in client.cookies]
    figures["book"], free = bookings(clients[:4], offered, seeded, plan)
    figures["contention"] = contention(clients, seeded, plan, free)
    return figures


def picker_requests(
    scout: Browser, seeded: datasets.Seeded, plan: Plan
) -> tuple[list[Request], list[Request]]:
    """The widget's own htmx requests for a day's times and for a month, for a sample of the
    studio's (type, location) pairs: the day links are read off the months' pages, for the
    days the dataset offers for it (not those of the contention rounds' slots)."""
    pairs: list[str] = []  # "/book/<slug>?location=N&" or "/book/<slug>?"
    for slug in seeded.type_slugs:
        page = scout.get(f"/book/{slug}").body.decode()
        if 'id="slot-picker"' in page:
            pairs.append(f"/book/{slug}?")
        else:
            ids = sorted(set(re.findall(rf'href="/book/{re.escape(slug)}\?location=(\d+)"', page)))
            pairs += [f"/book/{slug}?location={n}&" for n in ids]
    rng = random.Random(plan.seed)
    pairs = rng.sample(pairs, min(len(pairs), plan.sample_pairs))
    months = [(f"{p}month={m:%Y-%m}", MONTH) for p in pairs for m in seeded.months]
    wanted = {day.isoformat() for day in seeded.days}  # never the contention rounds' days
    with_days = sorted({day.replace(day=1) for day in seeded.days})
    scraped = {with_days[0], with_days[len(with_days) // 2], with_days[-1]}
    days: list[Request] = []
    for pair, month in itertools.product(pairs, sorted(scraped)):
        picker = scout.get(f"{pair}month={month:%Y-%m}", MONTH).body.decode()
        for url in map(unescape, DAY_LINK.findall(picker)):
            if parse_qs(urlsplit(url).query).get("day", [""])[0] in wanted:
                days.append((url, DAY))
    if not days:
        raise RuntimeError("no day with times in the months asked: is the studio seeded?")
    rng.shuffle(days)
    rng.shuffle(months)
    return days, months


def bookable(page: bytes) -> list[tuple[str, int]]:
    """The (type slug, slot id) of each time a day's times offer."""
    return [(slug.decode(), int(slot)) for slug, slot in HOLD_FORM.findall(page)]


def bookings(
    clients: list[Browser], offered: list[tuple[str, int]], seeded: datasets.Seeded, plan: Plan
) -> tuple[dict[str, object], set[str]]:
    """Complete bookings of times the day pages offered (none kept for contention), by logged-in
    clients in turn, with types that ask no payment, after `plan.book_warmup` untimed ones (as the
    other latencies warm up); returns the figures and those types."""
    reserved = set(seeded.contention_slots)
    candidates = list(dict.fromkeys((s, n) for s, n in offered if n not in reserved))
    random.Random(plan.seed).shuffle(candidates)
    paid: set[str] = set()
    free: set[str] = set()
    timed: list[float] = []
    outcomes = Counter[str]()
    warm = 0
    deadline = clock.perf_counter() + plan.book_seconds
    for slug, slot_id in candidates:
        if len(timed) >= plan.book_count or clock.perf_counter() > deadline:
            break
        if slug in paid:
            continue
        attempt = book(clients[len(outcomes) % len(clients)], slug, slot_id)
        outcomes[attempt.outcome] += 1
        if attempt.outcome == "payment":
            paid.add(slug)
        elif attempt.outcome == "booked":
            free.add(slug)
            if warm < plan.book_warmup:
                warm += 1
            else:
                timed.append(attempt.seconds)
    return {**summary(timed, outcomes["error"]), "outcomes": dict(outcomes)}, free


def contention(
    clients: list[Browser], seeded: datasets.Seeded, plan: Plan, free: set[str]
) -> dict[str, object]:
    """Rounds of 8, 16 and 32 clients booking one slot at once, each round on a slot of its own."""
    slugs = types_of(seeded.database_url, seeded.contention_slots)
    slots = iter(seeded.contention_slots)
    figures: dict[str, object] = {}
    for size in SIZES:
        rounds: list[Counter[str]] = []
        odd: list[dict[str, object]] = []  # rounds not booked exactly once, or with an error
        for _ in range(plan.contention_rounds):
            slot_id = next(slots, None)
            if slot_id is None or len(clients) < size:
                break
            offered = slugs.get(slot_id, [])
            slug = next((s for s in offered if s in free), offered[0] if offered else "")
            attempts = contend(clients[:size], slug, slot_id)
            counted = Counter(attempt.outcome for attempt in attempts)
            rounds.append(counted)
            if counted["booked"] != 1 or counted["error"] or counted["payment"]:
                details = Counter(f"{a.outcome}: {a.detail}" for a in attempts)
                odd.append({"slot_id": slot_id, "type": slug, "outcomes": dict(details)})
        won = [r["booked"] for r in rounds] or [0]
        figures[str(size)] = {
            "rounds": len(rounds),
            "max_successes": max(won),
            "min_successes": min(won),
            "refusals": sum(r["refused"] for r in rounds),
            "errors": sum(r["error"] + r["payment"] for r in rounds),
            "odd_rounds": odd,
        }
    figures["booked_twice"] = booked_twice(seeded.database_url, seeded.contention_slots)
    return figures


def analyze(database_url: str) -> None:
    """PostgreSQL's statistics and visibility map of the freshly seeded tables, as autovacuum
    keeps them on a live database: without the statistics the planner guesses (some pages take
    twice as long), without the visibility map an index-only scan reads the table too (a
    limited promotion's uses: 1.0 ms, not 0.35). SQLite keeps none unless asked, in production
    too, so it is left as it is."""
    if not database_url.startswith("postgresql"):
        return
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()


def types_of(database_url: str, slot_ids: list[int]) -> dict[int, list[str]]:
    """The online types each slot serves, by slot id (read from the database, not timed)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(slot_service_type.c.slot_id, ServiceType.slug)
                .join(ServiceType, ServiceType.id == slot_service_type.c.service_type_id)
                .where(slot_service_type.c.slot_id.in_(slot_ids), ServiceType.online)
                .order_by(ServiceType.id)
            ).all()
    finally:
        engine.dispose()
    found: dict[int, list[str]] = {}
    for slot_id, slug in rows:
        found.setdefault(slot_id, []).append(slug)
    return found


def booked_twice(database_url: str, slot_ids: list[int]) -> int:
    """How many of the slots hold more than one live booking (the database's own word)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            counts = connection.execute(
                select(Booking.slot_id, func.count())
                .where(Booking.slot_id.in_(slot_ids), Booking.status == BookingStatus.BOOKED)
                .group_by(Booking.slot_id)
                .having(func.count() > 1)
            ).all()
    finally:
        engine.dispose()
    return len(counts)


if __name__ == "__main__":
    main()
