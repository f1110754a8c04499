"""The price list (items staff sell) and the items each service type puts on its invoices.

Codes are stored upper-cased and trimmed, so the unique constraint is case-insensitive on every
backend. Items are deactivated, never deleted: invoices and service types that name one keep it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_currency_precision
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from core.models import PriceCategory, PriceListItem, PromotionCode, ServiceType, ServiceTypeItem
from core.money import to_minor_units
from core.services.errors import BookingError, NotFound
from core.services.invoicing import studio_currency

CODE_MAX_LENGTH = 40
NAME_MAX_LENGTH = 120
MAX_QUANTITY = 999
# In currency units: keeps every amount inside a 32-bit integer column in minor units.
MAX_AMOUNT = Decimal(1_000_000)
_CODE = re.compile(r"[A-Z0-9]+(?:[ -]+[A-Z0-9]+)*")


class InvalidItemCode(BookingError):
    status_code = 400
    default_message = "Use letters, digits, spaces and hyphens only, for example SF-FAMILY."


class ItemCodeTaken(BookingError):
    status_code = 409
    default_message = "Another price list item already uses this code. Please choose another one."


class InvalidPriceItem(BookingError):
    status_code = 400


class InvalidAmount(BookingError):
    status_code = 400
    default_message = "Enter an amount like 125 or 125.50."


class InvalidQuantity(BookingError):
    status_code = 400
    default_message = f"Enter a quantity from 1 to {MAX_QUANTITY}."


class InactiveItem(BookingError):
    status_code = 409
    default_message = (
        "This price list item is inactive, so it cannot be added. Reactivate it in the price "
        "list first."
    )


@dataclass(frozen=True)
class PriceItemDetails:
    """What staff type for a price list item; `price` in currency units, e.g. Decimal('125.50')."""

    code: str
    name: str
    category: PriceCategory
    price: Decimal


def normalize_code(code: str) -> str:
    """The code as stored: trimmed, inner spaces single, upper-cased."""
    return " ".join(code.split()).upper()


def validate_code(code: str) -> str:
    """The normalized code if it is letters, digits, spaces and hyphens. Raises InvalidItemCode."""
    code = normalize_code(code)
    if not code:
        raise InvalidItemCode("Enter an item code, for example SF-FAMILY.")
    if len(code) > CODE_MAX_LENGTH:
        raise InvalidItemCode(f"Keep the code to {CODE_MAX_LENGTH} characters or fewer.")
    if not code.isascii() or not _CODE.fullmatch(code):
        raise InvalidItemCode()
    return code


def to_amount(session: Session, amount: Decimal) -> int:
    """`amount` in the studio currency's minor units. Raises InvalidAmount (negative, too large,
    or more decimals than the currency has)."""
    if not amount.is_finite():
        raise InvalidAmount()
    if amount < 0:
        raise InvalidAmount("The amount cannot be negative.")
    if amount > MAX_AMOUNT:
        raise InvalidAmount(f"Enter an amount of at most {MAX_AMOUNT:,}.")
    currency = studio_currency(session)
    try:
        return to_minor_units(amount, currency)
    except ValueError:
        places = get_currency_precision(currency)
        if places == 0:
            message = f"{currency} amounts have no decimals: enter a whole number."
        else:
            message = f"Use at most {places} decimals, for example 125.{'5' * places}."
        raise InvalidAmount(message) from None


def _check(session: Session, details: PriceItemDetails) -> tuple[str, str, int]:
    code = validate_code(details.code)
    name = " ".join(details.name.split())
    if not name:
        raise InvalidPriceItem("Enter the item’s name.")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidPriceItem(f"Keep the name to {NAME_MAX_LENGTH} characters or fewer.")
    return code, name, to_amount(session, details.price)


def _save(session: Session, item: PriceListItem, details: PriceItemDetails) -> PriceListItem:
    code, name, price = _check(session, details)
    if details.category is PriceCategory.PROMOTIONAL and session.scalar(
        select(PromotionCode.id).where(PromotionCode.code == code)
    ):  # a promotional item's code is a promo code: one namespace with promotions' (seed 000)
        raise ItemCodeTaken(
            "A promotion already uses this as a promo code. Please choose another code."
        )
    item.code, item.name, item.price = code, name, price
    item.category = details.category
    session.add(item)
    try:
        session.commit()
    except IntegrityError:  # every other constraint was checked first: the code is not unique
        session.rollback()
        raise ItemCodeTaken() from None
    return item


def create_item(session: Session, details: PriceItemDetails) -> PriceListItem:
    """A new, active price list item. Raises InvalidItemCode, InvalidPriceItem, InvalidAmount or
    ItemCodeTaken."""
    return _save(session, PriceListItem(active=True), details)


def update_item(session: Session, item_id: int, details: PriceItemDetails) -> PriceListItem:
    """The item with new details (invoices made earlier keep their copies). Raises NotFound,
    InvalidItemCode, InvalidPriceItem, InvalidAmount or ItemCodeTaken."""
    return _save(session, find_item(session, item_id), details)


def set_item_active(session: Session, item_id: int, active: bool) -> PriceListItem:
    """Deactivate (no longer added anywhere new) or reactivate an item. Raises NotFound."""
    item = find_item(session, item_id)
    item.active = active
    session.commit()
    return item


def find_item(session: Session, item_id: int) -> PriceListItem:
    """The price list item with this id. Raises NotFound."""
    item = session.get(PriceListItem, item_id)
    if item is None:
        raise NotFound("We could not find that price list item.")
    return item


@dataclass(frozen=True)
class ItemPage:
    items: list[PriceListItem]
    total: int  # items matching the search, on every page
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def search_items(
    session: Session, query: str = "", *, page: int = 1, per_page: int = 50
) -> ItemPage:
    """One page of items whose code or name contains `query` (any case), by code; two queries.
    A page past the end is the last page."""
    stmt = select(PriceListItem)
    query = query.strip()
    if query:
        stmt = stmt.where(
            or_(
                PriceListItem.code.icontains(query, autoescape=True),
                PriceListItem.name.icontains(query, autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // per_page)))
    rows = session.scalars(
        stmt.order_by(PriceListItem.code).offset((page - 1) * per_page).limit(per_page)
    )
    return ItemPage(list(rows), total, page, per_page)


def active_items(session: Session) -> list[PriceListItem]:
    """Items that can be added to a service type, by code."""
    stmt = select(PriceListItem).where(PriceListItem.active.is_(True))
    return list(session.scalars(stmt.order_by(PriceListItem.code)))


def types_using(session: Session, item_id: int) -> list[tuple[ServiceType, int]]:
    """The service types that put this item on their invoices, with the quantity, by name."""
    rows = session.execute(
        select(ServiceType, ServiceTypeItem.quantity)
        .join(ServiceTypeItem, ServiceTypeItem.service_type_id == ServiceType.id)
        .where(ServiceTypeItem.item_id == item_id)
        .order_by(ServiceType.name)
    )
    return [(service_type, quantity) for service_type, quantity in rows]


# The items of a service type (seed 002, Price List Items tab).


def type_items(session: Session, service_type_id: int) -> list[ServiceTypeItem]:
    """The items a service type's invoices get, in order, with each price list item loaded."""
    return list(
        session.scalars(
            select(ServiceTypeItem)
            .options(joinedload(ServiceTypeItem.item))
            .where(ServiceTypeItem.service_type_id == service_type_id)
            .order_by(ServiceTypeItem.position, ServiceTypeItem.item_id)
        )
    )


def _service_type(session: Session, service_type_id: int) -> ServiceType:
    service_type = session.get(ServiceType, service_type_id)
    if service_type is None:
        raise NotFound("We could not find that session type.")
    return service_type


def find_type_item(session: Session, service_type_id: int, item_id: int) -> ServiceTypeItem:
    """The item's entry on the service type. Raises NotFound."""
    entry = session.get(ServiceTypeItem, (service_type_id, item_id))
    if entry is None:
        raise NotFound("That item is not on this session type’s invoices.")
    return entry


def _check_quantity(quantity: int) -> int:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidQuantity()
    return quantity


def _commit_or_changed(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError:  # the same item added by someone else at the same moment
        session.rollback()
        raise BookingError(
            "Someone changed these items at the same time. Please check the list and try again."
        ) from None


def add_type_item(
    session: Session, service_type_id: int, item_id: int, quantity: int
) -> ServiceTypeItem:
    """Put an active item on the type's invoices, last; an item already there gets `quantity`
    more instead of a second line. Raises NotFound, InactiveItem or InvalidQuantity."""
    _service_type(session, service_type_id)
    _check_quantity(quantity)
    item = find_item(session, item_id)
    if not item.active:
        raise InactiveItem(f"{item.code} is inactive, so it cannot be added. Reactivate it first.")
    entries = type_items(session, service_type_id)
    existing = next((entry for entry in entries if entry.item_id == item_id), None)
    if existing is not None:
        if existing.quantity + quantity > MAX_QUANTITY:
            raise InvalidQuantity(
                f"{item.code} is already on the invoice {existing.quantity} times; "
                f"{MAX_QUANTITY} is the most."
            )
        existing.quantity += quantity
        entry = existing
    else:
        position = max((e.position for e in entries), default=-1) + 1
        entry = ServiceTypeItem(
            service_type_id=service_type_id, item=item, quantity=quantity, position=position
        )
        session.add(entry)
    _commit_or_changed(session)
    return entry


def set_type_item_quantity(
    session: Session, service_type_id: int, item_id: int, quantity: int
) -> ServiceTypeItem:
    """Change how many of an item the type's invoices get (inactive items too: they stay).
    Raises NotFound or InvalidQuantity."""
    _check_quantity(quantity)
    entry = find_type_item(session, service_type_id, item_id)
    entry.quantity = quantity
    session.commit()
    return entry


def remove_type_item(session: Session, service_type_id: int, item_id: int) -> PriceListItem:
    """Take an item off the type's invoices (invoices made earlier keep it); returns the item.
    Raises NotFound."""
    entry = find_type_item(session, service_type_id, item_id)
    item = entry.item
    session.delete(entry)
    session.commit()
    return item


def move_type_item(
    session: Session, service_type_id: int, item_id: int, offset: int
) -> ServiceTypeItem:
    """Move an item up (offset -1) or down (+1) the invoice; at either end it stays put.
    Raises NotFound."""
    entry = find_type_item(session, service_type_id, item_id)
    entries = type_items(session, service_type_id)
    index = entries.index(entry)
    target = min(max(index + offset, 0), len(entries) - 1)
    entries.insert(target, entries.pop(index))
    for position, each in enumerate(entries):
        each.position = position
    session.commit()
    return entry
