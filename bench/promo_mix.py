"""The benchmark's price list and promotions, as the engine's own dataclasses.

One source for both benchmarks: `bench/promo_engine.py` feeds these to the engine directly, and
`bench/datasets.py` writes them as rows (the inverse of `core.services.promotions.to_rule`), so the
large studio's 50 auto-applied promotions are the ones the engine figure is measured on.

The mix is what a busy studio runs: percentages and amounts off session fees for some types,
weekday and happy-hour deals, buy-two offers, package prices, tiers of the same discount, deals
for new clients or members, limited-use and expired campaigns. Fixed by the random seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from core.rules import promotions as rules

# code, name, category, price (cents). Session fees are per service type (see session_fee).
CATALOG: list[tuple[str, str, str, int]] = [
    ("PR-4X6", "4x6 print", "product", 900),
    ("PR-5X7", "5x7 print", "product", 2000),
    ("PR-8X10", "8x10 print", "product", 3500),
    ("CANVAS", "Canvas 16x20", "product", 18000),
    ("PKG-S", "Small package", "package", 29000),
    ("PKG-M", "Medium package", "package", 49000),
    ("PKG-L", "Large package", "package", 89000),
    ("RETOUCH", "Retouched digital file", "service", 2500),
    ("RUSH", "Rush delivery", "service", 4000),
    ("GIFT-100", "Gift card $100", "gift_card", 10000),
]
PRODUCTS = rules.Qualified(categories=("product",))
PACKAGES = rules.Qualified(categories=("package",))
SESSION_FEES = rules.Qualified(categories=("session_fee",))
CODED_PROMOTION_NAME = "Flyer: 15% off your session"


def session_fee(n: int, rng: random.Random) -> tuple[str, str, str, int]:
    """The price list item of service type number n (1-based): its session fee."""
    return (f"SF-{n:02d}", f"Session fee {n}", "session_fee", rng.randrange(60, 300) * 100)


@dataclass(frozen=True)
class Scope:
    """The ids promotions may be limited to, and the day windows are drawn around."""

    service_type_ids: Sequence[int]
    location_ids: Sequence[int]
    resource_ids: Sequence[int]
    today: date


def auto_promotions(rng: random.Random, scope: Scope, count: int = 50) -> list[rules.Promotion]:
    """`count` auto-applied promotions, ids 1..count, drawn from the templates in turn."""
    return [_TEMPLATES[n % len(_TEMPLATES)](rng, scope, n + 1) for n in range(count)]


def coded_promotion(promotion_id: int) -> rules.Promotion:
    """The promotion behind the single-use codes: 15 % off session fees, each code used once."""
    return rules.Promotion(
        id=promotion_id,
        name=CODED_PROMOTION_NAME,
        benefit=rules.Benefit(rules.DiscountKind.PERCENT, percent=Decimal(15)),
        max_uses=1,
        one_use_per_booking=True,
        requirements=(rules.Requirement(rules.RequirementKind.ITEMS, 1, SESSION_FEES),),
    )


def _some(rng: random.Random, ids: Sequence[int], most: int) -> tuple[int, ...]:
    return tuple(rng.sample(list(ids), rng.randint(1, min(most, len(ids)))))


def _percent(rng: random.Random, low: int = 5, high: int = 30) -> Decimal:
    return Decimal(rng.randrange(low, high + 1, 5))


def _session_percent(rng: random.Random, scope: Scope, pid: int) -> rules.Promotion:
    percent = _percent(rng)
    return rules.Promotion(
        id=pid,
        name=f"{percent}% off selected sessions #{pid}",
        auto_apply=True,
        benefit=rules.Benefit(rules.DiscountKind.PERCENT, percent=percent, qualified=SESSION_FEES),
        service_type_ids=_some(rng, scope.service_type_ids, 6),
    )


def _weekday_prints(rng: random.Random, scope: Scope, pid: int) -> rules.Promotion:
    days = tuple(sorted(rng.sample(range(7), rng.randint(1, 3))))
    return rules.Promotion(
        id=pid,
        name=f"Print days #{pid}",
        auto_apply=True,
        benefit=rules.Benefit(
            rules.DiscountKind.AMOUNT,
            amount=rng.randrange(2, 10) * 100,
            apply_to=rules.ApplyTo.EACH_ITEM,
            qualified=PRODUCTS,
        ),
        weekdays=days,
    )


def _happy_hour(rng: random.Random, scope: Scope, pid: int) -> rules.Promotion:
    start = rng.choice([8, 9, 12, 16, 17])
    return rules.Promotion(
        id=pid,
        name=f"Happy hour #{pid}",
        auto_apply=True,
        benefit=rules.Benefit(rules.DiscountKind.PERCENT, percent=_percent(rng, 10, 25)),
        hours=rules.Hours(time(start), time(start + 2)),
        location_ids=_some(rng, scope.location_ids, 2),
    )


def _buy_two_prints(rng: random.Random, scope: Scope, pid: int) -> rules.Promotion:
    return rules.Promotion(
        id=pid,
        name=f"Buy 2 prints, retouch free #{pid}",
        auto_apply=True,
        requirements=(rules.Requirement(rules.RequirementKind.ITEMS, 2, PRODUCTS),),
        benefit=rules.Benefit(
            rules.DiscountKind.FREE,
            apply_to=rules.ApplyTo.OTHER_ITEMS,
            up_to=1,
            qualified=rules.Qualified(items=("RETOUCH",)),
        ),
    )


def _package_price(rng: random.Random, scope: Scope, pid: int) -> rules.Promotion:
    item = rng.choice(["PKG-S", "PKG-M", "PKG-L"])
    return rules.Promotion(
        id=pid,
        name=f"{item} special #{pid}",
        auto_apply=True,
        benefit=rules.Benefit(
            rules.DiscountKind.SET_PRICE,
            amount=rng.randrange(200, 400) * 100,
            apply_to=rules.ApplyTo.EACH_ITEM,
            qualified=rules.Qualified(items=(item,)),
        ),
        appointment=rules.Window(last_day=scope.today + timedelta(days=rng.randrange(30, 365))),
    )


def _spend_tier(rng: random.Random, scope: Scope, pid: int) -> rules.Promotion:
    minimum = rng.choice([300, 500, 800, 1200]) * 100
    return rules.Promotion(
        id=pid,
        name=f"Spend ${minimum // 100}, save #{pid}",
        auto_apply=True,
        requirements=(rules.Requirement(rules.RequirementKind.VALUE, minimum),),
        benefit=rules.Benefit(rules.DiscountKind.AMOUNT, amount=minimum // 10),
    )


def _new_clients(rng: random.Random, scope: Scope, pid: int) -> rules.Promotion:
    return rules.Promotion(
        id=pid,
        name=f"Welcome offer #{pid}",
        auto_apply=True,
        new_clients_only=True,
        channel=rules.Channel.ONLINE,
        benefit=rules.Benefit(
            rules.DiscountKind.PERCENT, percent=_percent(rng, 10, 20), qualified=SESSION_FEES
        ),
    )


def _members(rng: random.Random, scope: Scope, pid: int) -> rules.Promotion:
    return rules.Promotion(
        id=pid,
        name=f"Members' prints #{pid}",
        auto_apply=True,
        membership_required=True,
        benefit=rules.Benefit(
            rules.DiscountKind.PERCENT, percent=_percent(rng, 10, 30), qualified=PRODUCTS
        ),
        resource_ids=_some(rng, scope.resource_ids, 4),
    )


def _limited_campaign(rng: random.Random, scope: Scope, pid: int) -> rules.Promotion:
    return rules.Promotion(
        id=pid,
        name=f"First 500 bookings #{pid}",
        auto_apply=True,
        max_uses=500,
        combinable=rng.random() < 0.5,
        benefit=rules.Benefit(
            rules.DiscountKind.AMOUNT, amount=rng.randrange(10, 40) * 100, qualified=SESSION_FEES
        ),
        redeem=rules.Window(first_day=scope.today - timedelta(days=rng.randrange(30, 200))),
    )


def _expired(rng: random.Random, scope: Scope, pid: int) -> rules.Promotion:
    last = scope.today - timedelta(days=rng.randrange(1, 120))
    return rules.Promotion(
        id=pid,
        name=f"Spring campaign #{pid}",
        auto_apply=True,
        benefit=rules.Benefit(rules.DiscountKind.PERCENT, percent=_percent(rng)),
        redeem=rules.Window(first_day=last - timedelta(days=60), last_day=last),
    )


_TEMPLATES = [
    _session_percent,
    _weekday_prints,
    _happy_hour,
    _buy_two_prints,
    _package_price,
    _spend_tier,
    _new_clients,
    _members,
    _limited_campaign,
    _expired,
]
