"""Promotions in the database: rows mapped onto the engine (`core.rules.promotions`), codes,
and their uses.

The engine decides; this module reads the facts it needs (the cart, the client, the booking, the
uses so far) and keeps what it decided: one `Redemption` per promotion a booking got, with what it
took off each invoice line. Limits hold under concurrent bookings because `redeem` locks the
limited codes and promotions (in id order) and decides again with the counts read under the lock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, ScalarSelect, Select, func, literal, select, union_all, update
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from core.models import (
    BookedVia,
    Booking,
    BookingStatus,
    Client,
    Invoice,
    InvoiceLine,
    PriceCategory,
    PriceListItem,
    Promotion,
    PromotionCode,
    PromotionQualifier,
    PromotionRequirement,
    Redemption,
    RedemptionLine,
    ServiceType,
    TimeSlot,
    promotion_location,
    promotion_resource,
    promotion_service_type,
)
from core.rules import promotions as rules
from core.rules.invoicing import Line
from core.rules.promotions import checks
from core.services import per_transaction, promo_items, read_cache, studio_rows
from core.services.errors import BookingError

_LOAD = (
    selectinload(Promotion.requirements).selectinload(PromotionRequirement.qualifiers),
    selectinload(Promotion.benefit_qualifiers),
    selectinload(Promotion.service_types),
    selectinload(Promotion.resources),
    selectinload(Promotion.locations),
)


class CodeNoLongerValid(BookingError):
    """The typed code stopped applying between the review step and the booking; `reason` says
    why, in the engine's words."""

    status_code = 409
    default_message = "Your promo code can no longer be used. Remove it or try another."

    def __init__(self, reason: str = "") -> None:
        super().__init__(f"{reason} Remove the code or try another." if reason else None)
        self.reason = reason


# Rows → engine ------------------------------------------------------------------------------


def _qualified(qualifiers: Iterable[PromotionQualifier], codes: dict[int, str]) -> rules.Qualified:
    categories = [q.category.value for q in qualifiers if q.category is not None]
    items = [codes[q.item_id] for q in qualifiers if q.item_id is not None and q.item_id in codes]
    return rules.Qualified(tuple(categories), tuple(items))


def _item_codes(session: Session, rows: Sequence[Promotion]) -> dict[int, str]:
    ids = {
        q.item_id
        for row in rows
        for q in [*row.benefit_qualifiers, *(q for r in row.requirements for q in r.qualifiers)]
        if q.item_id is not None
    }
    if not ids:
        return {}
    # Rows unpack as tuples (Result.tuples() is deprecated in SQLAlchemy 2.1).
    found = session.execute(
        select(PriceListItem.id, PriceListItem.code).where(PriceListItem.id.in_(ids))
    )
    return dict(found.all())


@dataclass(frozen=True)
class _Parts:
    """A promotion's rule besides its own row: what its benefit and its requirements count
    as qualified, and the types, resources and locations it is limited to."""

    benefit: rules.Qualified
    requirements: tuple[rules.Requirement, ...]
    service_type_ids: tuple[int, ...]
    resource_ids: tuple[int, ...]
    location_ids: tuple[int, ...]


def to_rule(row: Promotion, codes: dict[int, str]) -> rules.Promotion:
    """The engine's view of a promotion row loaded with `_LOAD` (`codes`: price list item id →
    item code)."""
    return _rule(
        row,
        _Parts(
            benefit=_qualified(row.benefit_qualifiers, codes),
            requirements=tuple(
                rules.Requirement(
                    rules.RequirementKind(r.kind.value), r.minimum, _qualified(r.qualifiers, codes)
                )
                for r in row.requirements
            ),
            service_type_ids=tuple(t.id for t in row.service_types),
            resource_ids=tuple(r.id for r in row.resources),
            location_ids=tuple(loc.id for loc in row.locations),
        ),
    )


def _rule(row: Promotion, parts: _Parts) -> rules.Promotion:
    hours = (
        rules.Hours(row.hours_start, row.hours_end)
        if row.hours_start is not None and row.hours_end is not None
        else None
    )
    return rules.Promotion(
        id=row.id,
        name=row.name,
        benefit=rules.Benefit(
            rules.DiscountKind(row.discount_kind.value),
            percent=Decimal(row.percent),
            amount=row.amount,
            apply_to=rules.ApplyTo(row.apply_to.value),
            up_to=row.up_to,
            qualified=parts.benefit,
        ),
        auto_apply=row.auto_apply,
        active=row.active,
        redeem=rules.Window(
            row.redeem_first_day, row.redeem_from_time, row.redeem_last_day, row.redeem_until_time
        ),
        appointment=rules.Window(
            row.appointment_first_day,
            row.appointment_from_time,
            row.appointment_last_day,
            row.appointment_until_time,
        ),
        hours=hours,
        weekdays=tuple(int(day) for day in row.weekdays),
        service_type_ids=parts.service_type_ids,
        resource_ids=parts.resource_ids,
        location_ids=parts.location_ids,
        max_uses=row.max_uses,
        once=row.once,
        once_per_client=row.once_per_client,
        first_appointment_only=row.first_appointment_only,
        new_clients_only=row.new_clients_only,
        membership_required=row.membership_required,
        channel=rules.Channel(row.channel.value),
        one_use_per_booking=row.one_use_per_booking,
        combinable=row.combinable,
        requirements=parts.requirements,
    )


def _rules(session: Session, stmt: Select[Any]) -> list[rules.Promotion]:
    """The promotions `stmt` selects, as the engine sees them: four queries however many there
    are (the rows, their requirements, their qualifiers with the items' codes, their scope),
    read as plain tuples (loading the related rows as objects cost more than all the rest)."""
    rows = list(session.scalars(stmt))
    if not rows:
        return []
    # The related rows are chosen by the same query (no list of ids to send and plan anew).
    chosen = stmt.with_only_columns(Promotion.id).order_by(None).scalar_subquery()
    parts = _parts(session, [row.id for row in rows], chosen)
    return [_rule(row, parts[row.id]) for row in rows]


_SCOPE: tuple[tuple[str, Column[int], Column[int]], ...] = (
    (
        "service_type_ids",
        promotion_service_type.c.promotion_id,
        promotion_service_type.c.service_type_id,
    ),
    ("resource_ids", promotion_resource.c.promotion_id, promotion_resource.c.resource_id),
    ("location_ids", promotion_location.c.promotion_id, promotion_location.c.location_id),
)


def _parts(session: Session, ids: Sequence[int], chosen: ScalarSelect[int]) -> dict[int, _Parts]:
    """The parts of the promotions `ids`, which the subquery `chosen` selects."""
    # (promotion id, None) for a benefit's qualifiers, (promotion id, requirement id) for a
    # requirement's: categories and item codes, in the order they were added.
    qualified: defaultdict[tuple[int, int | None], tuple[list[str], list[str]]] = defaultdict(
        lambda: ([], [])
    )
    for promotion_id, requirement_id, category, code in session.execute(
        select(
            PromotionQualifier.promotion_id,
            PromotionQualifier.requirement_id,
            PromotionQualifier.category,
            PriceListItem.code,
        )
        .outerjoin(PriceListItem, PriceListItem.id == PromotionQualifier.item_id)
        .where(PromotionQualifier.promotion_id.in_(chosen))
        .order_by(PromotionQualifier.id)
    ):
        categories, items = qualified[promotion_id, requirement_id]
        if category is not None:
            categories.append(category.value)
        elif code is not None:
            items.append(code)

    def of(key: tuple[int, int | None]) -> rules.Qualified:
        categories, items = qualified.get(key, ([], []))
        return rules.Qualified(tuple(categories), tuple(items))

    requirements: defaultdict[int, list[rules.Requirement]] = defaultdict(list)
    for requirement_id, promotion_id, kind, minimum in session.execute(
        select(
            PromotionRequirement.id,
            PromotionRequirement.promotion_id,
            PromotionRequirement.kind,
            PromotionRequirement.minimum,
        )
        .where(PromotionRequirement.promotion_id.in_(chosen))
        .order_by(PromotionRequirement.position, PromotionRequirement.id)
    ):
        requirement = rules.Requirement(
            rules.RequirementKind(kind.value), minimum, of((promotion_id, requirement_id))
        )
        requirements[promotion_id].append(requirement)
    scope: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
    links = union_all(
        *(
            select(literal(name), owner, target).where(owner.in_(chosen))
            for name, owner, target in _SCOPE
        )
    )
    for name, owner_id, target_id in session.execute(links):
        scope[name, owner_id].append(target_id)
    return {
        promotion_id: _Parts(
            benefit=of((promotion_id, None)),
            requirements=tuple(requirements[promotion_id]),
            service_type_ids=tuple(scope["service_type_ids", promotion_id]),
            resource_ids=tuple(scope["resource_ids", promotion_id]),
            location_ids=tuple(scope["location_ids", promotion_id]),
        )
        for promotion_id in ids
    }


# Facts ----------------------------------------------------------------------------------------


def settings(session: Session) -> rules.Settings:
    studio = studio_rows.studio(session)
    highest = studio_rows.online_preferences(session).promotions_highest_first
    return rules.Settings(
        locale=studio.locale if studio else "en_US",
        currency=studio.currency if studio else "USD",
        highest_first=bool(highest),
    )


def client_facts(
    session: Session,
    client_id: int | None,
    *,
    leaving_out: int | None = None,
    booked_before: datetime | None = None,
) -> rules.ClientFacts | None:
    """The client's facts; `leaving_out` is the booking being priced (not an earlier one);
    `booked_before`: only bookings made before then count (deciding an existing booking again)."""
    if client_id is None:
        return None
    client = session.get(Client, client_id)
    if client is None:
        return None
    query = select(func.count(Booking.id)).where(
        Booking.client_id == client_id, Booking.status == BookingStatus.BOOKED
    )
    if leaving_out is not None:
        query = query.where(Booking.id != leaving_out)
    if booked_before is not None:
        query = query.where(Booking.created_at < booked_before)
    earlier = session.scalar(query) or 0
    return rules.ClientFacts(
        is_new=earlier == 0,
        is_member=client.is_member,
        earlier_bookings=earlier,
        standing_discount=Decimal(client.standing_discount),
    )


def booking_facts(
    slot: TimeSlot, service_type: ServiceType, *, now: datetime, online: bool
) -> rules.BookingFacts:
    return rules.BookingFacts(
        service_type_id=service_type.id,
        location_id=slot.location_id,
        resource_id=slot.resource_id,
        slot_start=slot.start_at,
        booked_at=now,
        timezone=slot.location.timezone,
        online=online,
    )


def cart_of(lines: Sequence[Line]) -> list[rules.CartLine]:
    return [
        rules.CartLine(line.code, line.category, line.quantity, line.unit_price) for line in lines
    ]


# Offers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Counts:
    uses: int = 0
    bookings: int = 0


def counts_by(
    session: Session, column: InstrumentedAttribute[Any], keys: Sequence[int]
) -> dict[int, _Counts]:
    """Live uses (appointments) and bookings per promotion or per code, in one query."""
    if not keys:
        return {}
    rows = session.execute(
        select(
            column,
            func.coalesce(func.sum(Redemption.uses), 0).label("uses"),
            func.count().label("bookings"),  # count(*): the rows, read off the index
        )
        .where(column.in_(keys), Redemption.released_at.is_(None))
        .group_by(column)
    ).all()
    return {int(row[0]): _Counts(int(row.uses), int(row.bookings)) for row in rows}


def _client_uses(
    session: Session, client_id: int | None, promotion_ids: Sequence[int]
) -> dict[int, int]:
    if client_id is None or not promotion_ids:
        return {}
    rows = session.execute(
        select(Redemption.promotion_id, func.count(func.distinct(Redemption.booking_id)))
        .where(
            Redemption.client_id == client_id,
            Redemption.promotion_id.in_(promotion_ids),
            Redemption.released_at.is_(None),
        )
        .group_by(Redemption.promotion_id)
    ).all()
    return {pid: int(n) for pid, n in rows if pid is not None}


@dataclass(frozen=True)
class InPlay:
    """The offers for one booking: the active auto-applied promotions and the typed code's."""

    autos: list[rules.Offer]
    typed: rules.Offer | None  # None: no code typed, or nobody knows it
    code: str  # the typed code, normalized ("" when none)
    code_row: PromotionCode | None
    # The typed code is a promo item's identifier (seed 000) rather than a promotion's code.
    promo_item: PriceListItem | None = None


def find_code(session: Session, typed: str) -> PromotionCode | None:
    code = rules.normalize_code(typed)
    if not rules.is_well_formed(code):
        return None
    return session.scalar(
        select(PromotionCode)
        .where(PromotionCode.code == code)
        .options(selectinload(PromotionCode.promotion))
    )


def _auto_rules(session: Session) -> tuple[rules.Promotion, ...]:
    """The active automatic promotions as the engine sees them, read once per transaction
    (the quote and `redeem` of one booking weigh the same ones; the uses are read each time)
    and, on PostgreSQL, kept by the process until staff change them (read_cache)."""

    active = select(Promotion).where(Promotion.auto_apply.is_(True), Promotion.active.is_(True))
    return per_transaction.kept(
        session,
        "auto promotions",
        _PROMOTION_MODELS,
        lambda: read_cache.value(
            session,
            ("promotion rules", "auto"),
            lambda: tuple(_rules(session, active.order_by(Promotion.id))),
        ),
    )


_PROMOTION_MODELS = (Promotion, PromotionRequirement, PromotionQualifier, PriceListItem)


def _usages(
    session: Session, client_id: int | None, promotions: Sequence[rules.Promotion]
) -> dict[int, rules.Usage]:
    """The uses so far of the promotions whose limits count them (a use limit, once, once per
    client); the others are not asked about (a large studio's unlimited promotions have tens
    of thousands of redemptions between them)."""
    counted = [p.id for p in promotions if p.max_uses is not None or p.once]
    per_client = [p.id for p in promotions if p.once_per_client]
    totals = counts_by(session, Redemption.promotion_id, counted)
    client_uses = _client_uses(session, client_id, per_client)
    return {
        p.id: rules.Usage(
            totals.get(p.id, _Counts()).uses,
            totals.get(p.id, _Counts()).bookings,
            client_uses.get(p.id, 0),
        )
        for p in promotions
    }


def offers_in_play(
    session: Session,
    *,
    code: str = "",
    client_id: int | None,
) -> InPlay:
    """Every offer the engine weighs for a booking, with uses read from the redemptions."""
    code = rules.normalize_code(code)
    code_row = find_code(session, code) if code else None
    autos = _auto_rules(session)
    coded = None
    if code_row is not None:
        rows = _rules(session, select(Promotion).where(Promotion.id == code_row.promotion_id))
        coded = rows[0] if rows else None
    usages = _usages(session, client_id, [*autos, *([coded] if coded else [])])
    typed = None
    if coded is not None and code_row is not None and not coded.auto_apply:
        counts = counts_by(session, Redemption.code_id, [code_row.id]).get(code_row.id, _Counts())
        typed = rules.Offer(
            coded,
            rules.Usage(counts.uses, counts.bookings, usages[coded.id].client_uses),
            code=code_row.code,
        )
    promo_item = None
    if code_row is None and code:  # not a promotion's code: perhaps a promo item's identifier
        found = promo_items.offer_for_code(session, code)
        if found is not None:
            typed, promo_item = found.offer, found.item
    known = code_row is not None or promo_item is not None
    offers = [rules.Offer(promotion, usages[promotion.id]) for promotion in autos]
    return InPlay(offers, typed, code if known else "", code_row, promo_item)


# Pricing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Priced:
    """A booking's lines after promotions, what was applied and what the typed code got."""

    lines: list[Line]  # the invoice lines with their discounts
    outcome: rules.Outcome
    check: rules.CodeCheck | None  # None when no code was typed
    code: str  # the typed code, normalized, when it applied; "" otherwise

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def discount(self) -> int:
        return sum(line.discount for line in self.lines)


def price(
    session: Session,
    lines: Sequence[Line],
    *,
    slot: TimeSlot,
    service_type: ServiceType,
    client_id: int | None,
    code: str,
    now: datetime,
    online: bool = True,
    leaving_out_booking: int | None = None,
) -> Priced:
    """What the engine gives the booking's invoice lines, with the typed `code` (may be "")."""
    return price_for_facts(
        session,
        lines,
        booking_facts(slot, service_type, now=now, online=online),
        client_id=client_id,
        code=code,
        accepts_codes=service_type.accepts_promo_codes,
        leaving_out_booking=leaving_out_booking,
    )


def price_for_facts(
    session: Session,
    lines: Sequence[Line],
    facts: rules.BookingFacts,
    *,
    client_id: int | None,
    code: str,
    accepts_codes: bool = True,
    leaving_out_booking: int | None = None,
    code_facts: rules.BookingFacts | None = None,
    in_play: InPlay | None = None,
) -> Priced:
    """`price` for a booking described by its facts (the admin's preview has no slot row).

    `code_facts`: deciding an existing booking again (staff changing its code), the typed code
    is used at this moment and in this channel, while the automatic promotions are decided as
    when the booking was made (`facts`), so they neither come nor go with the change.
    `in_play`: the offers, when the caller read them already (`offers_in_play`).
    """
    if in_play is None:
        in_play = offers_in_play(session, code=code, client_id=client_id)
    cart = cart_of(lines)
    before = facts.booked_at if code_facts is not None else None
    client = client_facts(session, client_id, leaving_out=leaving_out_booking, booked_before=before)
    studio = settings(session)
    typed = in_play.typed
    check = None
    if code.strip():
        refusal = None
        if typed is not None and code_facts is not None:
            refusal = checks.validity(typed, code_facts, studio)
            typed = _checked_already(typed)
        if not accepts_codes:
            check = rules.CodeCheck(False, rules.unknown_code(), None)
        elif refusal is not None and refusal not in checks.SCOPE_REASONS:
            check = rules.CodeCheck(False, refusal, None)
        else:
            check = rules.check_code(typed, cart, client, facts, in_play.autos, studio)
    if check is not None and check.applied and check.outcome is not None:
        # The code's check weighed these very offers (the autos and the typed code): its
        # outcome is the booking's, so the engine runs once per request.
        outcome = check.outcome
    else:
        outcome = rules.apply_promotions(cart, client, facts, in_play.autos, studio)
    priced = [
        Line(
            code=line.code,
            description=line.description,
            category=line.category,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=outcome.lines[i].discount,
        )
        for i, line in enumerate(lines)
    ]
    return Priced(priced, outcome, check, in_play.code if check and check.applied else "")


def _checked_already(offer: rules.Offer) -> rules.Offer:
    """The offer with its moment and channel left open: they were checked at the code's own."""
    promotion = replace(offer.promotion, redeem=rules.Window(), channel=rules.Channel.ANYWHERE)
    return replace(offer, promotion=promotion)


# Keeping what was decided ---------------------------------------------------------------------


def _lock_limited(session: Session, code: str) -> bool:
    """Lock the rows whose uses are limited, in id order: the automatic promotions, then the
    typed code's row (their uses are read after the locks; the promotions themselves may come
    from earlier in the transaction, e.g. the quote). Returns whether any automatic promotion
    is active at all."""
    autos = _auto_rules(session)
    locked = [
        p.id
        for p in autos
        if p.max_uses is not None or p.once or p.once_per_client or p.first_appointment_only
    ]
    if locked:
        session.execute(
            select(Promotion.id).where(Promotion.id.in_(locked)).with_for_update()
        ).all()
    typed = rules.normalize_code(code)
    if typed and rules.is_well_formed(typed):
        session.execute(
            select(PromotionCode.id).where(PromotionCode.code == typed).with_for_update()
        ).all()
    return bool(autos)


def redeem(
    session: Session,
    *,
    booking: Booking,
    invoice: Invoice | None,
    code: str,
    now: datetime,
    online: bool = True,
    as_booked: bool = False,
) -> Priced | None:
    """Apply promotions to a booking being written (caller's transaction; the caller commits).

    Decides again under locks with fresh counts; writes a Redemption per promotion applied, the
    invoice lines' discounts and a note line per promotion. Raises CodeNoLongerValid when the
    typed code stopped applying since the client saw it.

    `as_booked`: an existing booking decided again (staff changing its code): the typed code is
    used `now` and `online`, the automatic promotions as when and where it was booked.
    """
    session.flush()
    lines = [
        Line(line.code, line.description, line.category.value, line.quantity, line.unit_price)
        for line in (invoice.lines if invoice is not None else [])
    ]
    any_auto = _lock_limited(session, code)
    if not code.strip() and not any_auto and not _has_standing_discount(session, booking):
        return None  # nothing in play: the common case costs two queries
    in_play = offers_in_play(session, code=code, client_id=booking.client_id)  # after the locks
    slot = session.get(TimeSlot, booking.slot_id)
    service_type = session.get(ServiceType, booking.service_type_id)
    assert slot is not None and service_type is not None
    facts = booking_facts(slot, service_type, now=now, online=online)
    code_facts = None
    if as_booked:
        code_facts = facts
        booked_online = booking.booked_via is BookedVia.WIDGET
        facts = booking_facts(slot, service_type, now=booking.created_at, online=booked_online)
    priced = price_for_facts(
        session,
        lines,
        facts,
        client_id=booking.client_id,
        code=code,
        accepts_codes=service_type.accepts_promo_codes,
        leaving_out_booking=booking.id,
        code_facts=code_facts,
        in_play=in_play,
    )
    if priced.check is not None and not priced.check.applied:
        raise CodeNoLongerValid(priced.check.message)
    _keep(session, booking, invoice, priced, in_play.code_row, now, promo_item=in_play.promo_item)
    return priced


def _has_standing_discount(session: Session, booking: Booking) -> bool:
    discount = session.scalar(
        select(Client.standing_discount).where(Client.id == booking.client_id)
    )
    return bool(discount)


def _keep(
    session: Session,
    booking: Booking,
    invoice: Invoice | None,
    priced: Priced,
    code_row: PromotionCode | None,
    now: datetime,
    *,
    promo_item: PriceListItem | None = None,
) -> None:
    invoice_lines = list(invoice.lines) if invoice is not None else []
    next_position = max((line.position for line in invoice_lines), default=-1) + 1
    for applied in priced.outcome.applied:
        item_id = promo_items.item_id_of(applied.promotion_id)
        item = promo_item if item_id is not None else None
        assert item_id is None or (item is not None and item.id == item_id)
        if invoice is not None:
            invoice.lines.append(_note_line(applied, item, next_position))
            next_position += 1
        if applied.promotion_id is None:  # the client's standing discount: no use to count
            for line, discount in zip(invoice_lines, applied.line_discounts, strict=False):
                line.discount += discount
            continue
        parts = []
        for line, discount in zip(invoice_lines, applied.line_discounts, strict=False):
            if discount:
                line.discount += discount
                parts.append(RedemptionLine(invoice_line=line, discount=discount))
        # Written with the caller's next flush, its lines with it (a new redemption has none
        # to load first).
        session.add(
            Redemption(
                promotion_id=None if item is not None else applied.promotion_id,
                promo_item_id=item.id if item is not None else None,
                code_id=code_row.id
                if code_row is not None and applied.code == code_row.code
                else None,
                code=applied.code or "",
                booking_id=booking.id,
                client_id=booking.client_id,
                discount=applied.discount,
                uses=applied.uses,
                created_at=now,
                lines=parts,
            )
        )


def _note_line(applied: rules.Applied, item: PriceListItem | None, position: int) -> InvoiceLine:
    """The invoice line saying what the booking got: a promo item's own line (its value is in
    the other lines' discounts), or "Promotion: name" for a promotion."""
    if item is not None:
        code, description, item_id = item.code, item.name, item.id
    else:
        code = applied.code or "PROMOTION"
        description, item_id = f"Promotion: {applied.name}", None
    return InvoiceLine(
        position=position,
        item_id=item_id,
        code=code[:40],
        description=description[:200],
        category=PriceCategory.PROMOTIONAL,
        quantity=1,
        unit_price=0,
        discount=0,  # the same columns as the invoice's other new lines: one INSERT for all
    )


def release(session: Session, redemption: Redemption, now: datetime) -> None:
    """Take one promotion off a booking: its use counts again and its discount comes off."""
    if redemption.released_at is not None:
        return
    redemption.released_at = now
    for part in redemption.lines:
        line = session.get(InvoiceLine, part.invoice_line_id)
        if line is not None:
            line.discount = max(line.discount - part.discount, 0)


def release_for_booking(session: Session, booking_id: int, now: datetime) -> int:
    """A cancelled (or deleted) booking gives its promotion uses back. Returns how many."""
    live = list(
        session.scalars(
            select(Redemption)
            .where(Redemption.booking_id == booking_id, Redemption.released_at.is_(None))
            .options(selectinload(Redemption.lines))
        )
    )
    for redemption in live:
        redemption.released_at = now
    return len(live)


def follow_reschedule(session: Session, old_booking_id: int, new_booking_id: int) -> None:
    """The promotion uses move with a rescheduled booking (it is the same purchase)."""
    session.execute(
        update(Redemption)
        .where(Redemption.booking_id == old_booking_id, Redemption.released_at.is_(None))
        .values(booking_id=new_booking_id)
    )


def live_redemptions(session: Session, booking_ids: Sequence[int]) -> dict[int, list[Redemption]]:
    """The bookings' promotions, for listing (one query)."""
    result: dict[int, list[Redemption]] = {booking_id: [] for booking_id in booking_ids}
    if not booking_ids:
        return result
    for redemption in session.scalars(
        select(Redemption)
        .where(Redemption.booking_id.in_(booking_ids), Redemption.released_at.is_(None))
        .options(selectinload(Redemption.promotion), selectinload(Redemption.promo_item))
        .order_by(Redemption.id)
    ):
        result[redemption.booking_id].append(redemption)
    return result
