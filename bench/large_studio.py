"""The large benchmark studio: 3 locations, 10 resources, 30 types, 50 auto-applied promotions,
10,000 single-use codes, and bookings written as `core.services.booking.add_booking` writes them
for a type that invoices on booking: the booked slot, the booking, its invoice with the type's
price list items, and the promotions the engine gives it (redemptions, discounts, note lines).
Mail and staff notices are left out. The engine decides each booking's promotions, with the uses
counted so far; bookings whose facts matter alike to every promotion share one decision.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bench.promo_mix import CATALOG, Scope, auto_promotions, coded_promotion, session_fee
from bench.rows import public_id, starts_between
from core.models import (
    Booking,
    FieldMode,
    Invoice,
    InvoiceLine,
    InvoicePreferences,
    KindPreferences,
    ListChoice,
    ListKind,
    Location,
    PriceCategory,
    PriceListItem,
    Promotion,
    PromotionCode,
    PromotionQualifier,
    PromotionRequirement,
    Redemption,
    RedemptionLine,
    Resource,
    ServiceKind,
    ServiceType,
    ServiceTypeItem,
    SlotState,
    TimeSlot,
    promotion_location,
    promotion_resource,
    promotion_service_type,
    slot_service_type,
)
from core.rules import promotions as rules
from core.rules.promotions import checks
from core.rules.promotions.codes import GENERATED_ALPHABET

if TYPE_CHECKING:
    from bench.datasets import Plan
    from bench.rows import Writer

LOCATIONS = [
    ("downtown", "Downtown Studio", "America/New_York"),
    ("lakeside", "Lakeside Studio", "America/Chicago"),
    ("sunset", "Sunset Studio", "America/Los_Angeles"),
]
RESOURCE_LOCATIONS = [1, 1, 1, 1, 2, 2, 2, 3, 3, 3]  # resource n's location
DURATIONS = (30, 45, 60)  # types 1-10, 11-20, 21-30; resource n has slots of DURATIONS[(n-1)%3]
TYPES_PER_SLOT = 4
OPENS, CLOSES = time(8), time(20)
RETOUCH_ID = 1 + [code for code, *_ in CATALOG].index("RETOUCH")


def seed_large(writer: Writer, plan: Plan) -> dict[str, Any]:
    from bench.datasets import LOGIN_CLIENTS, requests_for, studio_basics

    with writer.step("studio and clients"):
        emails = studio_basics(writer, plan, plan.volume(20000, LOGIN_CLIENTS))
        invoice_defaults = _studio_settings(writer)
        _places(writer)
        carts = _catalog(writer, plan)
    with writer.step("promotions and codes"):
        scope = Scope(range(1, 31), range(1, 4), range(1, 11), plan.today)
        # Their own random source, as bench/promo_engine.py's: the same 50 promotions.
        autos = auto_promotions(random.Random(plan.seed), scope)
        coded = coded_promotion(len(autos) + 1)
        _promotion_rows(writer, [*autos, coded], plan)
        _codes(writer, plan, coded.id, plan.volume(10000))
    with writer.step("slots"):
        slots, served = _slots(writer, plan)
    with writer.step("bookings"):
        booked = _choose_booked(plan, slots, plan.volume(60000))
        contention = [s["id"] for s in _contention(plan, slots, booked)]
        written = _bookings(writer, plan, served, booked, carts, autos, invoice_defaults)
    with writer.step("insert slots and bookings"):
        writer.insert(TimeSlot.__table__, [_column_values(s) for s in slots])
        writer.insert(
            slot_service_type,
            [{"slot_id": s["id"], "service_type_id": t} for s in slots for t in served[s["id"]]],
        )
        for table, rows in written.items():
            writer.insert(table, rows)
    days, months = requests_for(plan, slots, ZoneInfo(LOCATIONS[0][2]), contention)
    return {
        "type_slugs": [_slug(1), _slug(11), _slug(21)],
        "days": days,
        "months": months,
        "client_emails": emails,
        "contention_slots": contention,
    }


def _slug(type_id: int) -> str:
    return f"session-{type_id:02d}"


def _studio_settings(writer: Writer) -> dict[str, int]:
    """Promo code fields shown, the Invoices preferences; their ids for the invoices."""
    session = writer.session
    session.add_all(
        KindPreferences(kind=kind, promo_code_mode=FieldMode.OPTIONAL) for kind in ServiceKind
    )
    lists = {(c.kind, c.name): c.id for c in session.scalars(select(ListChoice))}
    defaults = {
        "status_id": lists[(ListKind.INVOICE_STATUS, "Open")],
        "classification_id": lists[(ListKind.INVOICE_CLASSIFICATION, "Session fee")],
    }
    session.add(
        InvoicePreferences(
            default_description="Booked online",
            default_status_id=defaults["status_id"],
            default_classification_id=defaults["classification_id"],
            default_sales_rep_id=1,
            default_payment_method_id=lists[(ListKind.PAYMENT_METHOD, "Credit card")],
        )
    )
    session.flush()
    return defaults


def _places(writer: Writer) -> None:
    writer.insert(
        Location.__table__,
        [
            {"id": n, "name": name, "display_name": display, "address": "", "timezone": tz}
            for n, (name, display, tz) in enumerate(LOCATIONS, start=1)
        ],
    )
    writer.insert(
        Resource.__table__,
        [
            {"id": n, "name": f"Room {n}", "location_id": location}
            for n, location in enumerate(RESOURCE_LOCATIONS, start=1)
        ],
    )


def _duration(type_id: int) -> int:
    return DURATIONS[(type_id - 1) // 10]


def _catalog(writer: Writer, plan: Plan) -> dict[int, list[dict[str, Any]]]:
    """The price list, 30 types that invoice on booking, and each type's invoice lines."""
    fees = [session_fee(n, plan.rng) for n in range(1, 31)]
    items = [*CATALOG, *fees]
    writer.insert(
        PriceListItem.__table__,
        [
            {
                "id": n,
                "code": code,
                "name": name,
                "category": PriceCategory(category),
                "price": price,
                "active": True,
            }
            for n, (code, name, category, price) in enumerate(items, start=1)
        ],
    )
    types, type_items, carts = [], [], {}
    for n in range(1, 31):
        kind = ServiceKind.APPOINTMENT if n % 5 == 0 else ServiceKind.SESSION
        types.append(
            {
                "id": n,
                "kind": kind,
                "name": f"T{n:02d}",
                "online": True,
                "online_name": f"{kind.value.title()} {n}",
                "slug": _slug(n),
                "duration_minutes": _duration(n),
                "display_price": fees[n - 1][3],
                "auto_create_invoice": True,
                "accepts_promo_codes": True,
            }
        )
        entries = [(len(CATALOG) + n, 1)] + ([(RETOUCH_ID, 2)] if n % 3 == 0 else [])
        type_items += [
            {"service_type_id": n, "item_id": item, "quantity": qty, "position": position}
            for position, (item, qty) in enumerate(entries)
        ]
        carts[n] = [
            {
                "item_id": item,
                "code": items[item - 1][0],
                "description": items[item - 1][1],
                "category": PriceCategory(items[item - 1][2]),
                "quantity": qty,
                "unit_price": items[item - 1][3],
            }
            for item, qty in entries
        ]
    writer.insert(ServiceType.__table__, types)
    writer.insert(ServiceTypeItem.__table__, type_items)
    return carts


def _promotion_rows(writer: Writer, promotions: list[rules.Promotion], plan: Plan) -> None:
    """The promotions as rows: the inverse of core.services.promotions.to_rule."""
    item_ids = {code: n for n, (code, *_) in enumerate(CATALOG, start=1)}
    rows: list[dict[str, Any]] = []
    requirements: list[dict[str, Any]] = []
    qualifiers: list[dict[str, Any]] = []
    link_rows: dict[str, list[dict[str, int]]] = {
        "service_type": [],
        "resource": [],
        "location": [],
    }
    for p in promotions:
        b = p.benefit
        rows.append(
            {
                "id": p.id,
                "name": p.name,
                "active": p.active,
                "auto_apply": p.auto_apply,
                "external_id": f"BENCH-{p.id:03d}",
                "redeem_first_day": p.redeem.first_day,
                "redeem_from_time": p.redeem.from_time,
                "redeem_last_day": p.redeem.last_day,
                "redeem_until_time": p.redeem.until_time,
                "appointment_first_day": p.appointment.first_day,
                "appointment_from_time": p.appointment.from_time,
                "appointment_last_day": p.appointment.last_day,
                "appointment_until_time": p.appointment.until_time,
                "hours_start": p.hours.start if p.hours else None,
                "hours_end": p.hours.end if p.hours else None,
                "weekdays": "".join(str(d) for d in p.weekdays),
                "max_uses": p.max_uses,
                "once": p.once,
                "once_per_client": p.once_per_client,
                "first_appointment_only": p.first_appointment_only,
                "new_clients_only": p.new_clients_only,
                "membership_required": p.membership_required,
                "channel": _enum("PromotionChannel", p.channel.value),
                "one_use_per_booking": p.one_use_per_booking,
                "combinable": p.combinable,
                "discount_kind": _enum("DiscountKind", b.kind.value),
                "percent": b.percent,
                "amount": b.amount,
                "apply_to": _enum("ApplyTo", b.apply_to.value),
                "up_to": b.up_to,
                "created_at": plan.now - timedelta(days=200),
            }
        )
        for name, ids in (
            ("service_type", p.service_type_ids),
            ("resource", p.resource_ids),
            ("location", p.location_ids),
        ):
            link_rows[name] += [{"promotion_id": p.id, f"{name}_id": i} for i in ids]
        qualifiers += _qualifier_rows(p.id, None, b.qualified, item_ids)
        for position, r in enumerate(p.requirements):
            requirement_id = len(requirements) + 1
            requirements.append(
                {
                    "id": requirement_id,
                    "promotion_id": p.id,
                    "position": position,
                    "kind": _enum("RequirementKind", r.kind.value),
                    "minimum": r.minimum,
                }
            )
            qualifiers += _qualifier_rows(p.id, requirement_id, r.qualified, item_ids)
    writer.insert(Promotion.__table__, rows)
    writer.insert(PromotionRequirement.__table__, requirements)
    for n, row in enumerate(qualifiers, start=1):
        row["id"] = n
    writer.insert(PromotionQualifier.__table__, qualifiers)
    tables = {
        "service_type": promotion_service_type,
        "resource": promotion_resource,
        "location": promotion_location,
    }
    for name, table in tables.items():
        writer.insert(table, link_rows[name])


def _enum(name: str, value: str) -> Any:
    import core.models.promotions as models

    return getattr(models, name)(value)


def _qualifier_rows(
    promotion_id: int, requirement_id: int | None, q: rules.Qualified, item_ids: dict[str, int]
) -> list[dict[str, Any]]:
    base = {"promotion_id": promotion_id, "requirement_id": requirement_id}
    return [
        *({**base, "category": PriceCategory(c), "item_id": None} for c in q.categories),
        *({**base, "category": None, "item_id": item_ids[code]} for code in q.items),
    ]


def _codes(writer: Writer, plan: Plan, promotion_id: int, count: int) -> None:
    """`count` distinct generated codes of the single-use promotion, none used yet."""
    codes: set[str] = set()
    while len(codes) < count:
        codes.add("".join(plan.rng.choice(GENERATED_ALPHABET) for _ in range(8)))
    created = plan.now - timedelta(days=30)
    writer.insert(
        PromotionCode.__table__,
        [
            {"id": n, "promotion_id": promotion_id, "code": code, "created_at": created}
            for n, code in enumerate(sorted(codes), start=1)
        ],
    )


def _slots(writer: Writer, plan: Plan) -> tuple[list[dict[str, Any]], dict[int, list[int]]]:
    """Every resource's slots, back to back from 08:00 to 20:00; the types each serves."""
    from bench.datasets import _slot_row

    slots: list[dict[str, Any]] = []
    served: dict[int, list[int]] = {}
    for resource, location in enumerate(RESOURCE_LOCATIONS, start=1):
        group = (resource - 1) % 3
        minutes = DURATIONS[group]
        same = [r for r in range(1, 11) if (r - 1) % 3 == group]
        j = same.index(resource)
        types = [group * 10 + (4 * j + k) % 10 + 1 for k in range(TYPES_PER_SLOT)]
        tz = ZoneInfo(LOCATIONS[location - 1][2])
        for day in plan.days:
            for start, end in starts_between(day, tz, OPENS, CLOSES, minutes, minutes):
                slot = _slot_row(len(slots) + 1, resource, location, start, end, day)
                slots.append(slot)
                served[slot["id"]] = types
    return slots, served


def _choose_booked(plan: Plan, slots: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """`count` slots to book: most of the past, less the further ahead (weighted sampling
    without replacement, Efraimidis-Spirakis)."""

    def weight(slot: dict[str, Any]) -> float:
        ahead = (slot["day"] - plan.today).days
        return 0.8 if ahead < 0 else 0.05 + 0.75 * math.exp(-ahead / 60)

    keyed = sorted(((plan.rng.random() ** (1 / weight(s)), s["id"]) for s in slots), reverse=True)
    if count > len(slots):
        raise RuntimeError(f"{count} bookings do not fit in {len(slots)} slots")
    by_id = {s["id"]: s for s in slots}
    return sorted((by_id[i] for _, i in keyed[:count]), key=lambda s: s["id"])


def _contention(
    plan: Plan, slots: list[dict[str, Any]], booked: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    from bench.datasets import CONTENTION_SLOTS

    taken = {s["id"] for s in booked}
    free = [s for s in slots if s["id"] not in taken and s["day"] > plan.today + timedelta(days=1)]
    free.sort(key=lambda s: (s["day"], s["id"]), reverse=True)
    if len(free) < CONTENTION_SLOTS:
        raise RuntimeError(f"only {len(free)} free slots for the contention rounds")
    return free[:CONTENTION_SLOTS]


def _column_values(slot: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in slot.items() if key != "day"}


class _Decisions:
    """The engine's decisions for the bookings, with uses counted as they are made.

    Which promotions pass their own checks (the engine's `checks`) decides the outcome, with the
    cart (the type's) and the client's standing discount: bookings alike in those share one
    evaluation.
    """

    def __init__(self, autos: list[rules.Promotion]) -> None:
        if any(p.once or p.once_per_client for p in autos):
            raise ValueError("per-booking and per-client uses are not counted here")
        self.autos = autos
        self.uses: Counter[int] = Counter()
        self.memo: dict[tuple[Any, ...], rules.Outcome] = {}
        self.evaluations = 0
        self.settings = rules.Settings()

    def _offers(self) -> list[rules.Offer]:
        return [rules.Offer(p, rules.Usage(self.uses[p.id], self.uses[p.id])) for p in self.autos]

    def decide(
        self, cart: list[rules.CartLine], client: rules.ClientFacts, facts: rules.BookingFacts
    ) -> rules.Outcome:
        passing = [
            offer
            for offer in self._offers()
            if checks.validity(offer, facts, self.settings) is None
            and checks.restrictions(offer, client, facts) is None
        ]
        key = (
            facts.service_type_id,
            client.standing_discount,
            tuple(offer.promotion.id for offer in passing),
        )
        outcome = self.memo.get(key)
        if outcome is None:  # those that fail their checks change nothing applied: left out
            outcome = rules.apply_promotions(cart, client, facts, passing, self.settings)
            self.memo[key] = outcome
            self.evaluations += 1
        for applied in outcome.applied:
            if applied.promotion_id is not None:
                self.uses[applied.promotion_id] += applied.uses
        return outcome


def _bookings(
    writer: Writer,
    plan: Plan,
    served: dict[int, list[int]],
    booked: list[dict[str, Any]],
    carts: dict[int, list[dict[str, Any]]],
    autos: list[rules.Promotion],
    invoice_defaults: dict[str, int],
) -> dict[Any, list[dict[str, Any]]]:
    """Bookings, invoices, invoice lines and redemptions, in the order the bookings were made."""
    from bench.datasets import booking_row

    rng = plan.rng
    clients = writer.counts["client"]
    members = set(_member_ids(writer))
    standing = _standing_discounts(writer)
    tables: dict[Any, list[dict[str, Any]]] = {
        Booking.__table__: [],
        Invoice.__table__: [],
        InvoiceLine.__table__: [],
        Redemption.__table__: [],
        RedemptionLine.__table__: [],
    }
    drafts = []
    for slot in booked:
        slot["state"] = SlotState.BOOKED
        type_id = rng.choice(served[slot["id"]])
        drafts.append(booking_row(plan, 0, slot, type_id, rng.randrange(clients) + 1))
    drafts.sort(key=lambda b: (b["created_at"], b["slot_id"]))
    by_slot = {s["id"]: s for s in booked}
    decisions = _Decisions(autos)
    engine_carts = {
        type_id: [
            rules.CartLine(x["code"], x["category"].value, x["quantity"], x["unit_price"])
            for x in cart
        ]
        for type_id, cart in carts.items()
    }
    earlier: Counter[int] = Counter()
    lines, redemptions = tables[InvoiceLine.__table__], tables[Redemption.__table__]
    for booking_id, booking in enumerate(drafts, start=1):
        booking["id"] = booking_id
        tables[Booking.__table__].append(booking)
        slot, client_id = by_slot[booking["slot_id"]], booking["client_id"]
        location = slot["location_id"]
        tables[Invoice.__table__].append(
            {
                "id": booking_id,
                "public_id": public_id(rng),
                "client_id": client_id,
                "booking_id": booking_id,
                "currency": "USD",
                "description": "Booked online",
                "status_id": invoice_defaults["status_id"],
                "classification_id": invoice_defaults["classification_id"],
                "sales_rep_id": 1,
                "created_at": booking["created_at"],
            }
        )
        cart = carts[booking["service_type_id"]]
        invoice_lines = [
            {**line, "id": len(lines) + n + 1, "invoice_id": booking_id, "position": n}
            for n, line in enumerate(cart)
        ]
        for line in invoice_lines:
            line["discount"] = 0
        lines += invoice_lines
        outcome = decisions.decide(
            engine_carts[booking["service_type_id"]],
            rules.ClientFacts(
                is_new=earlier[client_id] == 0,
                is_member=client_id in members,
                earlier_bookings=earlier[client_id],
                standing_discount=standing.get(client_id, Decimal(0)),
            ),
            rules.BookingFacts(
                service_type_id=booking["service_type_id"],
                location_id=location,
                resource_id=slot["resource_id"],
                slot_start=slot["start_at"],
                booked_at=booking["created_at"],
                timezone=LOCATIONS[location - 1][2],
                online=booking["booked_via"].value == "widget",
            ),
        )
        earlier[client_id] += 1
        position = len(cart)
        for applied in outcome.applied:
            lines.append(
                {
                    "id": len(lines) + 1,
                    "invoice_id": booking_id,
                    "position": position,
                    "item_id": None,
                    "code": (applied.code or "PROMOTION")[:40],
                    "description": f"Promotion: {applied.name}"[:200],
                    "category": PriceCategory.PROMOTIONAL,
                    "quantity": 1,
                    "unit_price": 0,
                    "discount": 0,
                }
            )
            position += 1
            for line, discount in zip(invoice_lines, applied.line_discounts, strict=False):
                line["discount"] += discount
            if applied.promotion_id is None:  # the client's standing discount
                continue
            redemption_id = len(redemptions) + 1
            redemptions.append(
                {
                    "id": redemption_id,
                    "promotion_id": applied.promotion_id,
                    "code": "",
                    "booking_id": booking_id,
                    "client_id": client_id,
                    "discount": applied.discount,
                    "uses": applied.uses,
                    "created_at": booking["created_at"],
                }
            )
            tables[RedemptionLine.__table__] += [
                {"redemption_id": redemption_id, "invoice_line_id": line["id"], "discount": d}
                for line, d in zip(invoice_lines, applied.line_discounts, strict=False)
                if d
            ]
    writer.timings["engine_evaluations"] = decisions.evaluations
    return tables


def _member_ids(writer: Writer) -> list[int]:
    from core.models import Client

    return list(writer.session.scalars(select(Client.id).where(Client.is_member.is_(True))))


def _standing_discounts(writer: Writer) -> dict[int, Any]:
    from core.models import Client

    rows = writer.session.execute(
        select(Client.id, Client.standing_discount).where(Client.standing_discount > 0)
    )
    return {row.id: row.standing_discount for row in rows}
