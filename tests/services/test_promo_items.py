"""myStratus promo items (seed 000): a promotional price list item's identifier typed as a code,
on a type that offers it, puts the item's line on the invoice and takes its price off."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import (
    BookedVia,
    Booking,
    DiscountKind,
    Invoice,
    PriceCategory,
    PriceListItem,
    Redemption,
    ServiceType,
    SlotState,
    TimeSlot,
    service_type_promo_item,
)
from core.rules.promotions import unknown_code
from core.services import checkout, pricelist, promo_items, promotion_overview, promotions
from core.services.booking import book, cancel
from core.services.demo import seed_demo
from core.services.errors import NotFound
from core.services.invoicing import summarize
from core.services.pricelist import ItemCodeTaken, PriceItemDetails
from core.services.promo_items import NotPromotional, NotTypeable, PromoItemRefused
from core.services.promotions import CodeNoLongerValid
from core.services.rescheduling import reschedule
from tests.conftest import NOW
from tests.services.test_checkout import priced_type
from tests.services.test_promotions_store import promotion


def promo_item(
    session: Session,
    code: str,
    price: int,
    *offered_by: ServiceType,
    name: str = "Spring credit",
    active: bool = True,
    category: PriceCategory = PriceCategory.PROMOTIONAL,
) -> PriceListItem:
    item = PriceListItem(code=code, name=name, category=category, price=price, active=active)
    session.add(item)
    session.flush()
    for service_type in offered_by:
        session.execute(
            insert(service_type_promo_item).values(service_type_id=service_type.id, item_id=item.id)
        )
    session.commit()
    return item


@pytest.fixture
def studio(core_make: Any) -> Any:
    """A type whose invoice holds a $150 session fee and two $20 prints ($190), and a slot."""
    core_make.studio()
    service_type = priced_type(core_make, None)
    slot = core_make.slot(NOW + timedelta(days=3), service_types=[service_type])
    return service_type, slot


def _book(session: Session, make: Any, service_type: ServiceType, code: str, **kw: Any) -> Booking:
    slot = kw.pop("slot", None) or make.slot(NOW + timedelta(days=4), service_types=[service_type])
    return book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=make.client().id,
        now=NOW,
        via=BookedVia.STAFF,
        promo_code=code,
        **kw,
    )


def _invoice(session: Session, booking: Booking) -> Invoice:
    session.expire_all()
    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert invoice is not None
    return invoice


def test_a_typed_promo_item_code_takes_the_items_price_off(session, studio):
    service_type, slot = studio
    promo_item(session, "SPRING25", 2500, service_type)

    quote = checkout.quote(session, service_type, slot=slot, code="  spring25 ", now=NOW)

    assert quote.promotions is not None and quote.promotions.check.applied
    assert quote.promotions.check.message == "Code SPRING25 applied: $25.00 off."
    assert (quote.total, quote.discount, quote.promotions.code) == (16500, 2500, "SPRING25")
    assert [a.name for a in quote.promotions.outcome.applied] == ["Spring credit"]


def test_booking_with_it_puts_the_items_line_on_the_invoice_and_records_its_use(
    session, core_make, studio
):
    service_type, _ = studio
    item = promo_item(session, "SPRING25", 2500, service_type)

    booking = _book(session, core_make, service_type, "Spring25")

    invoice = _invoice(session, booking)
    line = invoice.lines[-1]
    assert (line.item_id, line.code, line.description, line.category) == (
        item.id,
        "SPRING25",
        "Spring credit",
        PriceCategory.PROMOTIONAL,
    )
    assert (line.quantity, line.unit_price, line.discount) == (1, 0, 0)
    assert not any(line.description.startswith("Promotion:") for line in invoice.lines)
    assert summarize(invoice).total == 19000 - 2500
    redemption = session.scalars(select(Redemption)).one()
    assert (redemption.promo_item_id, redemption.promotion_id, redemption.code) == (
        item.id,
        None,
        "SPRING25",
    )
    assert redemption.discount == 2500
    assert sum(part.discount for part in redemption.lines) == 2500


def test_an_item_worth_more_than_the_invoice_leaves_nothing_to_pay_never_less(
    session, core_make, studio
):
    service_type, slot = studio
    promo_item(session, "BIGGIFT", 50000, service_type)

    quote = checkout.quote(session, service_type, slot=slot, code="BIGGIFT", now=NOW)
    booking = _book(session, core_make, service_type, "BIGGIFT")

    assert (quote.total, quote.discount, quote.paid_with_coupon) == (0, 19000, True)
    invoice = _invoice(session, booking)
    assert summarize(invoice).total == 0
    assert all(line.amount >= 0 for line in invoice.lines)


def test_a_free_item_is_only_noted_on_the_invoice(session, core_make, studio):
    service_type, slot = studio
    promo_item(session, "FREE810", 0, service_type, name="Free 8x10 print")

    quote = checkout.quote(session, service_type, slot=slot, code="free810", now=NOW)
    booking = _book(session, core_make, service_type, "FREE810")

    assert quote.promotions.check.applied and quote.total == 19000
    assert quote.promotions.check.message == "Code FREE810 applied; it is noted on your invoice."
    invoice = _invoice(session, booking)
    assert [(line.code, line.description, line.amount) for line in invoice.lines[-1:]] == [
        ("FREE810", "Free 8x10 print", 0)
    ]
    assert summarize(invoice).total == 19000
    assert session.scalars(select(Redemption.discount)).one() == 0


@pytest.mark.parametrize(
    "case", ["unknown", "offered by another type", "offered by no type", "inactive", "not promo"]
)
def test_a_code_the_type_does_not_offer_reads_like_an_unknown_code(
    session, core_make, studio, case
):
    service_type, slot = studio
    other = core_make.service_type()
    offered_by = {"offered by another type": [other], "offered by no type": []}.get(
        case, [service_type]
    )
    category = PriceCategory.PRODUCT if case == "not promo" else PriceCategory.PROMOTIONAL
    if case != "unknown":
        promo_item(
            session, "SPRING25", 2500, *offered_by, active=case != "inactive", category=category
        )

    quote = checkout.quote(session, service_type, slot=slot, code="SPRING25", now=NOW)

    check = quote.promotions.check
    assert (check.applied, check.message) == (False, unknown_code())
    assert (quote.total, quote.promotions.code) == (19000, "")


def test_an_item_withdrawn_after_the_review_refuses_the_booking(session, core_make, studio):
    service_type, _ = studio
    item = promo_item(session, "SPRING25", 2500, service_type)
    promo_items.remove_promo_item(session, service_type.id, item.id)

    with pytest.raises(CodeNoLongerValid, match="This code is not valid for this booking"):
        _book(session, core_make, service_type, "SPRING25")


def test_it_combines_with_an_auto_applied_promotion(session, studio):
    service_type, slot = studio
    promotion(
        session, auto_apply=True, discount_kind=DiscountKind.PERCENT, percent=20, name="Winter"
    )
    promo_item(session, "SPRING25", 2500, service_type)

    quote = checkout.quote(session, service_type, slot=slot, code="SPRING25", now=NOW)

    assert [a.name for a in quote.promotions.outcome.applied] == ["Winter", "Spring credit"]
    assert quote.total == 19000 - 3000 - 2500  # 20 % of the session fee, then $25


def test_a_promotions_code_wins_over_an_item_with_the_same_identifier(session, studio):
    service_type, slot = studio
    # Only possible for rows written behind the services' back: they keep one namespace.
    promotion(session, "SPRING25")
    promo_item(session, "SPRING25", 2500, service_type)

    quote = checkout.quote(session, service_type, slot=slot, code="SPRING25", now=NOW)

    assert [a.name for a in quote.promotions.outcome.applied] == ["Free session fee"]


def test_it_has_no_use_limit(session, core_make, studio):
    service_type, _ = studio
    promo_item(session, "SPRING25", 2500, service_type)

    for _ in range(3):
        _book(session, core_make, service_type, "SPRING25")

    assert len(session.scalars(select(Redemption)).all()) == 3


def test_cancelling_releases_the_use_and_release_gives_the_discount_back(
    session, core_make, studio
):
    service_type, _ = studio
    promo_item(session, "SPRING25", 2500, service_type)
    booking = _book(session, core_make, service_type, "SPRING25")
    redemption = session.scalars(select(Redemption)).one()

    cancel(session, public_id=booking.public_id, now=NOW)
    session.refresh(redemption)
    assert redemption.released_at is not None
    assert promotions.live_redemptions(session, [booking.id]) == {booking.id: []}

    second = _book(session, core_make, service_type, "SPRING25")
    live = promotions.live_redemptions(session, [second.id])[second.id]
    assert [(r.promotion, r.promo_item.code) for r in live] == [(None, "SPRING25")]
    promotions.release(session, live[0], NOW)
    session.commit()
    invoice = _invoice(session, second)
    assert summarize(invoice).total == 19000
    assert all(line.discount == 0 for line in invoice.lines)


def test_rescheduling_keeps_the_item(session, core_make, studio):
    service_type, _ = studio
    promo_item(session, "SPRING25", 2500, service_type)
    booking = _book(session, core_make, service_type, "SPRING25")
    later = core_make.slot(NOW + timedelta(days=6), service_types=[service_type])

    moved = reschedule(session, public_id=booking.public_id, new_slot_id=later.id, now=NOW)
    session.commit()

    redemption = session.scalars(select(Redemption)).one()
    assert (redemption.booking_id, redemption.released_at) == (moved.id, None)


def test_one_live_use_of_an_item_per_booking(session, core_make, studio):
    service_type, _ = studio
    item = promo_item(session, "SPRING25", 2500, service_type)
    booking = _book(session, core_make, service_type, "SPRING25")

    def use(released_at: datetime | None = None) -> Redemption:
        return Redemption(
            promo_item_id=item.id,
            code="SPRING25",
            booking_id=booking.id,
            client_id=booking.client_id,
            discount=0,
            uses=1,
            created_at=NOW,
            released_at=released_at,
        )

    session.add(use(released_at=NOW))  # released uses are history: any number of them
    session.commit()
    session.add(use())
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_a_redemption_is_of_a_promotion_or_of_an_item_never_both(session, core_make, studio):
    service_type, _ = studio
    item = promo_item(session, "SPRING25", 2500, service_type)
    row = promotion(session, "FSF")
    booking = _book(session, core_make, service_type, "")

    session.add(
        Redemption(
            promotion_id=row.id,
            promo_item_id=item.id,
            code="SPRING25",
            booking_id=booking.id,
            client_id=booking.client_id,
            discount=0,
            uses=1,
            created_at=NOW,
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_the_admin_preview_prices_a_promo_item_code(session, core_make, studio):
    service_type, slot = studio
    promo_item(session, "SPRING25", 2500, service_type)

    result = promotion_overview.preview(
        session,
        service_type_id=service_type.id,
        location_id=slot.location_id,
        start=datetime(2026, 12, 3, 10, 0),
        client_id=None,
        code="spring25",
        now=NOW,
    )

    assert result.check is not None and result.check.applied
    assert sum(line.discount for line in result.lines) == 2500


# Staff: the items a type offers -----------------------------------------------------------------


def test_staff_offer_and_withdraw_an_item(session, studio):
    service_type, _ = studio
    item = promo_item(session, "SPRING25", 2500)
    assert promo_items.offerable_items(session, service_type.id) == [item]

    promo_items.add_promo_item(session, service_type.id, item.id)
    assert promo_items.offered_items(session, service_type.id) == [item]
    assert promo_items.offerable_items(session, service_type.id) == []

    promo_items.remove_promo_item(session, service_type.id, item.id)
    assert promo_items.offered_items(session, service_type.id) == []


def test_only_active_promotional_items_clients_could_type_are_offerable(session, studio):
    service_type, _ = studio
    good = promo_item(session, "FREE810", 0)
    promo_item(session, "OLD", 0, active=False)
    promo_item(session, "PROMO-1", 0)  # a hyphen: not something a promo code field accepts
    promo_item(session, "BIGPRINT", 0, category=PriceCategory.PRODUCT)

    assert promo_items.offerable_items(session, service_type.id) == [good]


@pytest.mark.parametrize(
    ("code", "kw", "error", "message"),
    [
        ("SF2", {"category": PriceCategory.SESSION_FEE}, NotPromotional, "SF2 is a session fee"),
        ("PROMO-1", {}, NotTypeable, "Clients could not type PROMO-1"),
        ("OLD", {"active": False}, PromoItemRefused, "OLD is inactive"),
    ],
)
def test_staff_cannot_offer_an_item_clients_could_not_use(
    session, studio, code, kw, error, message
):
    service_type, _ = studio
    item = promo_item(session, code, 0, **kw)

    with pytest.raises(error, match=message):
        promo_items.add_promo_item(session, service_type.id, item.id)
    assert promo_items.offered_items(session, service_type.id) == []


def test_an_item_offered_already_is_refused(session, studio):
    service_type, _ = studio
    item = promo_item(session, "FREE810", 0, service_type)

    with pytest.raises(PromoItemRefused, match="already offered"):
        promo_items.add_promo_item(session, service_type.id, item.id)


def test_unknown_types_and_items_are_not_found(session, studio):
    service_type, _ = studio
    item = promo_item(session, "FREE810", 0)

    with pytest.raises(NotFound):
        promo_items.add_promo_item(session, service_type.id, item.id + 100)
    with pytest.raises(NotFound):
        promo_items.add_promo_item(session, service_type.id + 100, item.id)
    with pytest.raises(NotFound):
        promo_items.remove_promo_item(session, service_type.id, item.id)


def test_a_promotional_item_cannot_take_a_promotions_code(session, studio):
    promotion(session, "FSF")

    with pytest.raises(ItemCodeTaken, match="promotion already uses"):
        pricelist.create_item(
            session, PriceItemDetails("fsf", "Free fee", PriceCategory.PROMOTIONAL, Decimal(0))
        )
    product = pricelist.create_item(
        session, PriceItemDetails("fsf", "Free fee sign", PriceCategory.PRODUCT, Decimal(0))
    )
    assert product.code == "FSF"  # only promotional items' codes are promo codes


def test_the_demo_family_session_offers_a_free_8x10_print(session):
    seed_demo(session, now=NOW)
    family = session.scalar(select(ServiceType).where(ServiceType.slug == "family-portrait"))
    slot = session.scalar(
        select(TimeSlot)
        .where(TimeSlot.state == SlotState.OPEN, TimeSlot.service_types.contains(family))
        .limit(1)
    )

    quote = checkout.quote(session, family, slot=slot, code="free810", now=NOW)

    assert [i.code for i in promo_items.offered_items(session, family.id)] == ["FREE810"]
    assert quote.promotions.check.applied
    assert [a.name for a in quote.promotions.outcome.applied] == ["Free 8x10 print"]
    assert seed_demo(session, now=NOW) is False  # seeding again adds nothing
