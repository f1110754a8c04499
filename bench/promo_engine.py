"""Benchmark: evaluations per second of the promotions engine, in-process (no database, no HTTP).

One evaluation is `apply_promotions` on a 5-line cart with the large studio's 50 auto-applied
promotions (bench/promo_mix.py) and one typed single-use code, for a returning client who holds a
membership: what the widget's review step and the booking itself each ask the engine. The offers
are indexed once (`OfferIndex`, as for any caller that evaluates the same offers again); each
evaluation gets fresh booking facts and works everything else out anew. `evals_per_s_indexing`
is the same with the index built in every evaluation, as a request that prices once does.

    .venv/bin/python bench/promo_engine.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import random
import time as clock
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from bench.promo_mix import Scope, auto_promotions, coded_promotion
from core.rules import promotions as rules

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York
APPOINTMENT = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)  # Saturday 10:00 in New York
SEED = 20261124
CART = (
    rules.CartLine("SF-03", "session_fee", 1, 15000),
    rules.CartLine("PR-8X10", "product", 2, 3500),
    rules.CartLine("PR-5X7", "product", 3, 2000),
    rules.CartLine("PKG-M", "package", 1, 49000),
    rules.CartLine("RETOUCH", "service", 2, 2500),
)
CLIENT = rules.ClientFacts(is_new=False, is_member=True, earlier_bookings=3)
BOOKING = rules.BookingFacts(
    service_type_id=3,
    location_id=1,
    resource_id=2,
    slot_start=APPOINTMENT,
    booked_at=NOW,
    timezone="America/New_York",
)


def offers() -> list[rules.Offer]:
    """The 50 auto-applied promotions (some used already) and the typed code's promotion."""
    rng = random.Random(SEED)
    scope = Scope(range(1, 31), range(1, 4), range(1, 11), date(2026, 11, 23))
    autos = [
        rules.Offer(p, rules.Usage(uses=120, bookings=120) if p.max_uses else rules.Usage())
        for p in auto_promotions(rng, scope)
    ]
    return [*autos, rules.Offer(coded_promotion(51), code="BENCH 7K2M")]


def evaluate(in_play: Sequence[rules.Offer] | rules.OfferIndex) -> rules.Outcome:
    # Fresh facts each time, as each request makes its own (nothing cached on them carries over).
    return rules.apply_promotions(CART, CLIENT, replace(BOOKING), in_play)


def _rate(in_play: Sequence[rules.Offer] | rules.OfferIndex, seconds: float) -> tuple[int, float]:
    """Evaluations in about `seconds`, and the seconds they took."""
    deadline = clock.perf_counter() + seconds
    count = 0
    started = clock.perf_counter()
    while clock.perf_counter() < deadline:
        for _ in range(50):
            evaluate(in_play)
        count += 50
    return count, clock.perf_counter() - started


def measure(seconds: float = 2.0) -> dict[str, float | int]:
    """Evaluate for about `seconds` (after a short warm-up); evaluations per second."""
    listed = offers()
    in_play = rules.OfferIndex(listed)
    outcome = evaluate(in_play)
    if not outcome.applied or not any(a.code for a in outcome.applied):
        raise SystemExit(f"the benchmark's code should apply: {outcome}")
    if evaluate(listed) != outcome:
        raise SystemExit("the index and the list of offers should decide alike")
    count, elapsed = _rate(in_play, seconds)
    indexing, indexing_elapsed = _rate(listed, seconds / 4)
    return {
        "evals_per_s": round(count / elapsed),
        "evaluations": count,
        "evals_per_s_indexing": round(indexing / indexing_elapsed),
        "offers": len(listed),
        "applied": len(outcome.applied),
        "cart_lines": len(CART),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    print(json.dumps({"promo_engine": measure(parser.parse_args().seconds)}, indent=2))


if __name__ == "__main__":
    main()
