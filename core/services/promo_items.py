"""myStratus promo items (seed 000): a promotional price list item whose identifier is the code
clients type, offered by the service types that list it (Online Booking 2 tab).

Typed at booking, such a code is one more coded offer for the promotions engine: the item's name,
its price off the whole cart (never below zero; a $0 item is only noted), limited to the types
offering it, combinable, with no use limits. The engine knows it by a negative id (`rule_id`), so
it can never be mistaken for a promotion row. Staff add and remove the items a type offers here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import (
    PriceCategory,
    PriceListItem,
    PromotionCode,
    ServiceType,
    service_type_promo_item,
)
from core.rules import promotions as rules
from core.services.errors import BookingError, NotFound

_LINK = service_type_promo_item


class NotPromotional(BookingError):
    status_code = 400
    default_message = "Only promotional price list items can be offered as promo codes."


class NotTypeable(BookingError):
    status_code = 400
    default_message = (
        "Clients could not type this item’s code: promo codes are letters, digits and spaces. "
        "Change the item’s code in the price list first."
    )


class PromoItemRefused(BookingError):
    """Inactive, already offered, or shadowed by a promotion code."""

    status_code = 409


# The engine's view ------------------------------------------------------------------------------


def rule_id(item_id: int) -> int:
    """The id the engine knows a promo item by: negative, so never a promotion's."""
    return -item_id


def item_id_of(promotion_id: int | None) -> int | None:
    """The promo item an engine id stands for; None for a promotion or the standing discount."""
    return -promotion_id if promotion_id is not None and promotion_id < 0 else None


def to_rule(item: PriceListItem, service_type_ids: tuple[int, ...]) -> rules.Promotion:
    """A coded promotion taking the item's price off the whole cart, on these types only."""
    return rules.Promotion(
        id=rule_id(item.id),
        name=item.name,
        benefit=rules.Benefit(
            rules.DiscountKind.AMOUNT, amount=item.price, apply_to=rules.ApplyTo.CRITERIA_ITEMS
        ),
        service_type_ids=service_type_ids,
    )


@dataclass(frozen=True)
class PromoItemOffer:
    item: PriceListItem
    offer: rules.Offer


def offer_for_code(session: Session, code: str) -> PromoItemOffer | None:
    """The normalized `code` as a promo item: an active promotional item with this identifier
    that some service type offers. None otherwise, so an inactive or unoffered item reads
    exactly like an unknown code; the engine refuses it for a type that does not offer it."""
    if not rules.is_well_formed(code):
        return None
    item = session.scalar(
        select(PriceListItem).where(
            PriceListItem.code == code,
            PriceListItem.category == PriceCategory.PROMOTIONAL,
            PriceListItem.active.is_(True),
        )
    )
    if item is None:
        return None
    type_ids: tuple[int, ...] = tuple(
        session.scalars(select(_LINK.c.service_type_id).where(_LINK.c.item_id == item.id))
    )
    if not type_ids:  # no types would mean every type to the engine
        return None
    return PromoItemOffer(item, rules.Offer(to_rule(item, type_ids), code=code))


# The items a service type offers (staff) --------------------------------------------------------


def offered_items(session: Session, service_type_id: int) -> list[PriceListItem]:
    """The items the type offers as promo codes, by code (inactive ones too: staff see them)."""
    return list(
        session.scalars(
            select(PriceListItem)
            .join(_LINK, _LINK.c.item_id == PriceListItem.id)
            .where(_LINK.c.service_type_id == service_type_id)
            .order_by(PriceListItem.code)
        )
    )


def offerable_items(session: Session, service_type_id: int) -> list[PriceListItem]:
    """Active promotional items the type does not offer yet whose code clients could type."""
    offered = select(_LINK.c.item_id).where(_LINK.c.service_type_id == service_type_id)
    rows = session.scalars(
        select(PriceListItem)
        .where(
            PriceListItem.category == PriceCategory.PROMOTIONAL,
            PriceListItem.active.is_(True),
            PriceListItem.id.not_in(offered),
        )
        .order_by(PriceListItem.code)
    )
    return [item for item in rows if rules.is_well_formed(item.code)]


def usable(item: PriceListItem) -> bool:
    """Whether clients can use the item's code now (it may have changed since it was added)."""
    return (
        item.active
        and item.category is PriceCategory.PROMOTIONAL
        and rules.is_well_formed(item.code)
    )


def _service_type(session: Session, service_type_id: int) -> ServiceType:
    service_type = session.get(ServiceType, service_type_id)
    if service_type is None:
        raise NotFound("We could not find that session type.")
    return service_type


def _item(session: Session, item_id: int) -> PriceListItem:
    item = session.get(PriceListItem, item_id)
    if item is None:
        raise NotFound("We could not find that price list item.")
    return item


def add_promo_item(session: Session, service_type_id: int, item_id: int) -> PriceListItem:
    """Offer an active promotional item's code to clients booking the type; returns the item.
    Raises NotFound, NotPromotional, NotTypeable or PromoItemRefused (inactive, already
    offered, or its code is also a promotion's)."""
    _service_type(session, service_type_id)
    item = _item(session, item_id)
    if item.category is not PriceCategory.PROMOTIONAL:
        raise NotPromotional(
            f"{item.code} is a {item.category.label.lower()} item: only promotional items can "
            "be offered as promo codes. Change its category in the price list first."
        )
    if not rules.is_well_formed(item.code):
        raise NotTypeable(
            f"Clients could not type {item.code}: promo codes are letters, digits and spaces. "
            "Change the item’s code in the price list first."
        )
    if not item.active:
        raise PromoItemRefused(f"{item.code} is inactive. Reactivate it in the price list first.")
    if session.scalar(select(PromotionCode.id).where(PromotionCode.code == item.code)):
        raise PromoItemRefused(
            f"{item.code} is also a code of a promotion, which clients typing it would get. "
            "Change the item’s code first."
        )
    already = select(_LINK).where(
        _LINK.c.service_type_id == service_type_id, _LINK.c.item_id == item_id
    )
    if session.execute(already).first() is not None:
        raise PromoItemRefused(f"{item.code} is already offered for this type.")
    session.execute(insert(_LINK).values(service_type_id=service_type_id, item_id=item_id))
    try:
        session.commit()
    except IntegrityError:  # the same item added in another window at the same moment
        session.rollback()
        raise PromoItemRefused(f"{item.code} is already offered for this type.") from None
    return item


def remove_promo_item(session: Session, service_type_id: int, item_id: int) -> PriceListItem:
    """Stop offering the item's code for the type (bookings made with it keep their invoice
    line and discount); returns the item. Raises NotFound."""
    removed = session.execute(
        delete(_LINK).where(_LINK.c.service_type_id == service_type_id, _LINK.c.item_id == item_id)
    )
    if removed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise NotFound("That promo item is not offered for this session type.")
    item = _item(session, item_id)
    session.commit()
    return item
