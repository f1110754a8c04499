"""What staff read about promotions: the list with states and used counts, the engine's answer
for a made-up booking (preview), and a promotion's uses month by month."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core.models import (
    Booking,
    Invoice,
    InvoiceLine,
    Location,
    Promotion,
    PromotionCode,
    Redemption,
    ServiceType,
    TimeSlot,
)
from core.rules import promotions as rules
from core.rules.invoicing import Line
from core.services import invoicing
from core.services import promotions as store
from core.services.errors import InvalidDetails, NotFound


class Filter(enum.Enum):
    ALL = "all"
    ACTIVE = "active"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class PromotionRow:
    promotion: Promotion
    state: rules.State
    uses: int  # appointments discounted, live redemptions only
    bookings: int
    codes: int

    @property
    def active(self) -> bool:
        return self.state is rules.State.ACTIVE


def studio_timezone(session: Session) -> str:
    """The timezone promotion windows are read in: the first location's (New York if none)."""
    return (
        session.scalar(select(Location.timezone).order_by(Location.id).limit(1))
        or "America/New_York"
    )


def _state_rule(row: Promotion) -> rules.Promotion:
    """Just what `rules.state` reads: switched on, the redeem window and the use limits."""
    return rules.Promotion(
        id=row.id,
        name=row.name,
        benefit=rules.Benefit(rules.DiscountKind.FREE),
        auto_apply=row.auto_apply,
        active=row.active,
        redeem=rules.Window(
            row.redeem_first_day, row.redeem_from_time, row.redeem_last_day, row.redeem_until_time
        ),
        max_uses=row.max_uses,
        once=row.once,
    )


def _code_counts(session: Session, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per promotion: its codes, and those used up (their own limit reached); one query."""
    if not ids:
        return {}
    used = (
        select(
            Redemption.code_id,
            func.sum(Redemption.uses).label("uses"),
            func.count(Redemption.id).label("bookings"),
        )
        .where(Redemption.released_at.is_(None), Redemption.code_id.is_not(None))
        .group_by(Redemption.code_id)
        .subquery()
    )
    exhausted = or_(
        and_(Promotion.max_uses.is_not(None), used.c.uses >= Promotion.max_uses),
        and_(Promotion.once.is_(True), used.c.bookings > 0),
    )
    rows = session.execute(
        select(
            PromotionCode.promotion_id,
            func.count(PromotionCode.id),
            func.count(used.c.code_id).filter(exhausted),
        )
        .join(Promotion, Promotion.id == PromotionCode.promotion_id)
        .outerjoin(used, used.c.code_id == PromotionCode.id)
        .where(PromotionCode.promotion_id.in_(ids))
        .group_by(PromotionCode.promotion_id)
    ).all()
    return {int(pid): (int(total), int(spent)) for pid, total, spent in rows}


def list_promotions(
    session: Session,
    *,
    now: datetime,
    show: Filter = Filter.ALL,
    auto: bool | None = None,
    query: str = "",
) -> list[PromotionRow]:
    """Promotions by name with their state and live uses, in four queries however many there are.

    A coded promotion is used up when every one of its codes reached its limit; an auto-applied
    one when the promotion did. `query` matches the name, description, external id or a code.
    """
    stmt = select(Promotion).order_by(func.lower(Promotion.name), Promotion.id)
    if auto is not None:
        stmt = stmt.where(Promotion.auto_apply.is_(auto))
    text = query.strip()
    if text:
        like = f"%{text.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Promotion.name).like(like),
                func.lower(Promotion.description).like(like),
                func.lower(Promotion.external_id).like(like),
                Promotion.id.in_(
                    select(PromotionCode.promotion_id).where(
                        PromotionCode.code.like(f"%{rules.normalize_code(text)}%")
                    )
                ),
            )
        )
    promotions = list(session.scalars(stmt))
    ids = [p.id for p in promotions]
    counts = store.counts_by(session, Redemption.promotion_id, ids)
    codes = _code_counts(session, ids)
    timezone = studio_timezone(session)
    rows = []
    for p in promotions:
        c = counts.get(p.id)
        uses, bookings = (c.uses, c.bookings) if c else (0, 0)
        total, spent = codes.get(p.id, (0, 0))
        # A coded promotion's limits are per code: the state reads the last code standing.
        usage = rules.Usage(uses, bookings)
        if not p.auto_apply:
            usage = rules.Usage(1 << 30, 1) if total and spent == total else rules.Usage()
        state = rules.state(_state_rule(p), usage, now, timezone)
        rows.append(PromotionRow(p, state, uses, bookings, total))
    if show is Filter.ACTIVE:
        rows = [r for r in rows if r.active]
    elif show is Filter.INACTIVE:
        rows = [r for r in rows if not r.active]
    return rows


# Preview --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    lines: list[Line]
    outcome: rules.Outcome
    check: rules.CodeCheck | None  # None when no code was typed
    timezone: str

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def preview(
    session: Session,
    *,
    service_type_id: int,
    location_id: int,
    start: datetime,
    client_id: int | None,
    code: str = "",
    online: bool = True,
    now: datetime,
) -> Preview:
    """What the engine would do for a booking of this type at this local `start` (naive, read
    in the location's timezone), made now by this client (None: not logged in)."""
    service_type = session.get(ServiceType, service_type_id)
    location = session.get(Location, location_id)
    if service_type is None or location is None:
        raise NotFound("Choose a session type and a location offered.")
    if start.tzinfo is not None:
        raise InvalidDetails({"start": "Give the time as the location’s wall clock."})
    lines = invoicing.lines_for(session, service_type)
    facts = rules.BookingFacts(
        service_type_id=service_type.id,
        location_id=location.id,
        resource_id=None,
        slot_start=start.replace(tzinfo=ZoneInfo(location.timezone)),
        booked_at=now,
        timezone=location.timezone,
        online=online,
    )
    priced = store.price_for_facts(
        session,
        lines,
        facts,
        client_id=client_id,
        code=code,
        accepts_codes=service_type.accepts_promo_codes,
    )
    return Preview(priced.lines, priced.outcome, priced.check, location.timezone)


# Report ---------------------------------------------------------------------------------------


@dataclass
class Month:
    month: date  # the first of the month, in the location's timezone
    uses: int = 0
    bookings: int = 0
    discount: int = 0
    revenue: int = 0  # the invoices' totals after every discount


def monthly_report(session: Session, promotion_id: int) -> list[Month]:
    """The promotion's live uses by the month they were made (newest first), with the discount
    given and the revenue of the bookings that used it; two queries."""
    if session.get(Promotion, promotion_id) is None:
        raise NotFound("We could not find that promotion.")
    totals = (
        select(
            Invoice.booking_id.label("booking_id"),
            func.sum(InvoiceLine.quantity * InvoiceLine.unit_price - InvoiceLine.discount).label(
                "total"
            ),
        )
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(Invoice.booking_id.is_not(None))
        .group_by(Invoice.booking_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Redemption.created_at,
            Redemption.uses,
            Redemption.discount,
            Location.timezone,
            func.coalesce(totals.c.total, 0),
        )
        .join(Booking, Booking.id == Redemption.booking_id)
        .join(TimeSlot, TimeSlot.id == Booking.slot_id)
        .join(Location, Location.id == TimeSlot.location_id)
        .outerjoin(totals, totals.c.booking_id == Booking.id)
        .where(Redemption.promotion_id == promotion_id, Redemption.released_at.is_(None))
    ).all()
    months: dict[date, Month] = {}
    typed = cast(Sequence[tuple[datetime, int, int, str, int]], rows)
    for created_at, uses, discount, timezone, total in typed:
        local = created_at.astimezone(ZoneInfo(timezone))
        key = date(local.year, local.month, 1)
        month = months.setdefault(key, Month(key))
        month.uses += int(uses)
        month.bookings += 1
        month.discount += int(discount)
        month.revenue += int(total)
    return sorted(months.values(), key=lambda m: m.month, reverse=True)


# Codes ----------------------------------------------------------------------------------------

CODES_PER_PAGE = 50


@dataclass(frozen=True)
class CodeRow:
    code: PromotionCode
    uses: int
    bookings: int


@dataclass(frozen=True)
class CodesPage:
    rows: list[CodeRow]
    page: int
    pages: int
    total: int
    used: int  # codes with at least one live use


def codes_page(session: Session, promotion_id: int, page: int = 1) -> CodesPage:
    """One page of the promotion's codes (by code) with each one's live uses; four queries."""
    owned = PromotionCode.promotion_id == promotion_id
    total = session.scalar(select(func.count(PromotionCode.id)).where(owned)) or 0
    used = (
        session.scalar(
            select(func.count(func.distinct(Redemption.code_id)))
            .join(PromotionCode, PromotionCode.id == Redemption.code_id)
            .where(owned, Redemption.released_at.is_(None))
        )
        or 0
    )
    pages = max((total + CODES_PER_PAGE - 1) // CODES_PER_PAGE, 1)
    page = min(max(page, 1), pages)
    codes = list(
        session.scalars(
            select(PromotionCode)
            .where(owned)
            .order_by(PromotionCode.code)
            .offset((page - 1) * CODES_PER_PAGE)
            .limit(CODES_PER_PAGE)
        )
    )
    counts = store.counts_by(session, Redemption.code_id, [c.id for c in codes])
    rows = [
        CodeRow(c, counts[c.id].uses, counts[c.id].bookings) if c.id in counts else CodeRow(c, 0, 0)
        for c in codes
    ]
    return CodesPage(rows, page, pages, total, used)
