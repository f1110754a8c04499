"""The price list, and the items each service type puts on the invoices of its bookings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Invoice, PriceCategory, PriceListItem
from core.services import pricelist
from core.services.booking import book
from core.services.errors import NotFound
from core.services.pricelist import (
    InactiveItem,
    InvalidAmount,
    InvalidItemCode,
    InvalidPriceItem,
    InvalidQuantity,
    ItemCodeTaken,
    PriceItemDetails,
)
from tests.conftest import NOW


def details(**changes: Any) -> PriceItemDetails:
    values: dict[str, Any] = {
        "code": "SF-FAMILY",
        "name": "Family session fee",
        "category": PriceCategory.SESSION_FEE,
        "price": Decimal("125.50"),
        **changes,
    }
    return PriceItemDetails(**values)


def item(session: Session, code: str, price: str = "10", **changes: Any) -> PriceListItem:
    return pricelist.create_item(
        session, details(code=code, name=f"{code} item", price=Decimal(price), **changes)
    )


def codes_on(session: Session, service_type_id: int) -> list[tuple[str, int]]:
    return [(e.item.code, e.quantity) for e in pricelist.type_items(session, service_type_id)]


# Price list items


def test_a_new_item_is_active_with_its_price_in_minor_units(session: Session) -> None:
    created = pricelist.create_item(session, details())

    stored = pricelist.find_item(session, created.id)
    assert (stored.code, stored.name, stored.category) == (
        "SF-FAMILY",
        "Family session fee",
        PriceCategory.SESSION_FEE,
    )
    assert (stored.price, stored.active) == (12550, True)


def test_codes_are_stored_trimmed_and_upper_cased(session: Session) -> None:
    created = pricelist.create_item(session, details(code="  sf   family-2 "))

    assert created.code == "SF FAMILY-2"


@pytest.mark.parametrize("code", ["sf-family", "SF-FAMILY", " Sf-Family "])
def test_a_code_already_used_in_any_case_is_taken(session: Session, code: str) -> None:
    pricelist.create_item(session, details(code="SF-FAMILY"))

    with pytest.raises(ItemCodeTaken):
        pricelist.create_item(session, details(code=code, name="Another"))


@pytest.mark.parametrize("code", ["", "   ", "SF_FAMILY", "SF!", "ÉTÉ", "-SF", "A" * 41])
def test_a_code_of_other_characters_is_refused(session: Session, code: str) -> None:
    with pytest.raises(InvalidItemCode):
        pricelist.create_item(session, details(code=code))


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_blank_or_overlong_name_is_refused(session: Session, name: str) -> None:
    with pytest.raises(InvalidPriceItem):
        pricelist.create_item(session, details(name=name))


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("12.345", "Use at most 2 decimals"),
        ("-1", "cannot be negative"),
        ("1000000.01", "at most 1,000,000"),
        ("1E+400000", "at most 1,000,000"),
        ("NaN", "Enter an amount like 125 or 125.50."),
        ("Infinity", "Enter an amount like 125 or 125.50."),
    ],
)
def test_a_price_the_currency_cannot_hold_is_refused(
    session: Session, price: str, message: str
) -> None:
    with pytest.raises(InvalidAmount, match=message):
        pricelist.create_item(session, details(price=Decimal(price)))


def test_prices_follow_the_studio_currencys_decimals(session: Session, make: Any) -> None:
    make.studio(currency="JPY", locale="ja_JP")

    assert pricelist.create_item(session, details(price=Decimal("1500"))).price == 1500
    with pytest.raises(InvalidAmount, match="no decimals"):
        pricelist.create_item(session, details(code="OTHER", price=Decimal("1500.5")))


def test_a_free_item_is_allowed(session: Session) -> None:
    assert pricelist.create_item(session, details(price=Decimal("0"))).price == 0


def test_update_item_changes_its_details(session: Session) -> None:
    created = pricelist.create_item(session, details())

    pricelist.update_item(
        session,
        created.id,
        details(code="sf-fam", name="Fee", category=PriceCategory.SERVICE, price=Decimal("99")),
    )

    stored = pricelist.find_item(session, created.id)
    assert (stored.code, stored.name, stored.category, stored.price) == (
        "SF-FAM",
        "Fee",
        PriceCategory.SERVICE,
        9900,
    )


def test_an_item_keeps_its_own_code_in_another_case(session: Session) -> None:
    created = pricelist.create_item(session, details())

    assert pricelist.update_item(session, created.id, details(code="sf-family")).code == "SF-FAMILY"


def test_taking_another_items_code_is_refused(session: Session) -> None:
    pricelist.create_item(session, details(code="SF-FAMILY"))
    other = pricelist.create_item(session, details(code="PRINT"))

    with pytest.raises(ItemCodeTaken):
        pricelist.update_item(session, other.id, details(code="SF-FAMILY"))
    assert pricelist.find_item(session, other.id).code == "PRINT"


def test_an_unknown_item_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        pricelist.update_item(session, 999, details())


def test_deactivated_items_are_not_offered_and_come_back_when_reactivated(
    session: Session,
) -> None:
    kept, gone = item(session, "KEEP"), item(session, "GONE")

    pricelist.set_item_active(session, gone.id, False)
    assert [i.code for i in pricelist.active_items(session)] == ["KEEP"]

    pricelist.set_item_active(session, gone.id, True)
    assert [i.code for i in pricelist.active_items(session)] == ["GONE", "KEEP"]
    assert kept.active


# Search


@pytest.mark.parametrize("query", ["sf", "SF-", "family", "FAMILY SESSION", " fee "])
def test_search_matches_code_or_name_in_any_case(session: Session, query: str) -> None:
    pricelist.create_item(session, details())
    pricelist.create_item(session, details(code="PRINT-8X10", name="8x10 print"))

    found = pricelist.search_items(session, query)

    assert [i.code for i in found.items] == ["SF-FAMILY"]
    assert found.total == 1


@pytest.mark.parametrize("query", ["%", "_"])
def test_search_takes_wildcards_literally(session: Session, query: str) -> None:
    pricelist.create_item(session, details(name="Family fee"))

    assert pricelist.search_items(session, query).total == 0


def test_search_lists_every_item_by_code_a_page_at_a_time(session: Session) -> None:
    for n in range(7):
        item(session, f"ITEM-{n}")

    second = pricelist.search_items(session, "", page=2, per_page=3)

    assert [i.code for i in second.items] == ["ITEM-3", "ITEM-4", "ITEM-5"]
    assert (second.total, second.pages, second.first, second.last) == (7, 3, 4, 6)


def test_a_page_past_the_end_is_the_last_page(session: Session) -> None:
    for n in range(4):
        item(session, f"ITEM-{n}")

    page = pricelist.search_items(session, "", page=99, per_page=3)

    assert (page.page, [i.code for i in page.items]) == (2, ["ITEM-3"])


# Items of a service type


def test_items_are_added_to_a_type_in_order(session: Session, make: Any) -> None:
    service_type = make.service_type()
    fee, prints = item(session, "FEE"), item(session, "PRINTS")

    pricelist.add_type_item(session, service_type.id, prints.id, 2)
    pricelist.add_type_item(session, service_type.id, fee.id, 1)

    assert codes_on(session, service_type.id) == [("PRINTS", 2), ("FEE", 1)]


def test_adding_an_item_already_on_the_type_adds_to_its_quantity(
    session: Session, make: Any
) -> None:
    service_type = make.service_type()
    fee = item(session, "FEE")
    pricelist.add_type_item(session, service_type.id, fee.id, 1)

    entry = pricelist.add_type_item(session, service_type.id, fee.id, 2)

    assert entry.quantity == 3
    assert codes_on(session, service_type.id) == [("FEE", 3)]


def test_an_inactive_item_cannot_be_added(session: Session, make: Any) -> None:
    service_type = make.service_type()
    old = item(session, "OLD")
    pricelist.set_item_active(session, old.id, False)

    with pytest.raises(InactiveItem, match="OLD is inactive"):
        pricelist.add_type_item(session, service_type.id, old.id, 1)
    assert codes_on(session, service_type.id) == []


def test_an_item_deactivated_later_stays_on_the_type(session: Session, make: Any) -> None:
    service_type = make.service_type()
    fee = item(session, "FEE")
    pricelist.add_type_item(session, service_type.id, fee.id, 1)

    pricelist.set_item_active(session, fee.id, False)
    pricelist.set_type_item_quantity(session, service_type.id, fee.id, 2)

    assert codes_on(session, service_type.id) == [("FEE", 2)]


@pytest.mark.parametrize("quantity", [0, -1, 1000])
def test_a_quantity_outside_1_to_999_is_refused_when_adding(
    session: Session, make: Any, quantity: int
) -> None:
    service_type = make.service_type()
    fee = item(session, "FEE")

    with pytest.raises(InvalidQuantity):
        pricelist.add_type_item(session, service_type.id, fee.id, quantity)


@pytest.mark.parametrize("quantity", [0, -1, 1000])
def test_a_quantity_outside_1_to_999_is_refused_when_changing(
    session: Session, make: Any, quantity: int
) -> None:
    service_type = make.service_type()
    fee = item(session, "FEE")
    pricelist.add_type_item(session, service_type.id, fee.id, 1)

    with pytest.raises(InvalidQuantity):
        pricelist.set_type_item_quantity(session, service_type.id, fee.id, quantity)
    assert codes_on(session, service_type.id) == [("FEE", 1)]


def test_adding_more_than_999_in_all_is_refused(session: Session, make: Any) -> None:
    service_type = make.service_type()
    fee = item(session, "FEE")
    pricelist.add_type_item(session, service_type.id, fee.id, 998)

    with pytest.raises(InvalidQuantity, match="already on the invoice 998 times"):
        pricelist.add_type_item(session, service_type.id, fee.id, 2)


def test_adding_an_unknown_item_or_to_an_unknown_type_is_not_found(
    session: Session, make: Any
) -> None:
    service_type = make.service_type()
    fee = item(session, "FEE")

    with pytest.raises(NotFound):
        pricelist.add_type_item(session, service_type.id, 999, 1)
    with pytest.raises(NotFound):
        pricelist.add_type_item(session, 999, fee.id, 1)


def test_removing_an_item_keeps_the_others_in_order(session: Session, make: Any) -> None:
    service_type = make.service_type()
    for code in ("A", "B", "C"):
        pricelist.add_type_item(session, service_type.id, item(session, code).id, 1)
    b = session.scalar(select(PriceListItem).where(PriceListItem.code == "B"))
    assert b is not None

    pricelist.remove_type_item(session, service_type.id, b.id)

    assert codes_on(session, service_type.id) == [("A", 1), ("C", 1)]


def test_removing_an_item_not_on_the_type_is_not_found(session: Session, make: Any) -> None:
    service_type = make.service_type()

    with pytest.raises(NotFound):
        pricelist.remove_type_item(session, service_type.id, item(session, "FEE").id)


@pytest.mark.parametrize(
    ("code", "offset", "order"),
    [
        ("B", -1, ["B", "A", "C"]),
        ("B", 1, ["A", "C", "B"]),
        ("A", -1, ["A", "B", "C"]),
        ("C", 1, ["A", "B", "C"]),
    ],
)
def test_moving_an_item_swaps_it_with_its_neighbour_and_stops_at_the_ends(
    session: Session, make: Any, code: str, offset: int, order: list[str]
) -> None:
    service_type = make.service_type()
    ids = {}
    for each in ("A", "B", "C"):
        ids[each] = item(session, each).id
        pricelist.add_type_item(session, service_type.id, ids[each], 1)

    pricelist.move_type_item(session, service_type.id, ids[code], offset)

    assert [c for c, _ in codes_on(session, service_type.id)] == order


def test_types_using_an_item_are_listed_with_the_quantity(session: Session, make: Any) -> None:
    fam, head = make.service_type(name="FAM"), make.service_type(name="HEAD")
    fee = item(session, "FEE")
    pricelist.add_type_item(session, head.id, fee.id, 2)
    pricelist.add_type_item(session, fam.id, fee.id, 1)

    assert [(t.name, q) for t, q in pricelist.types_using(session, fee.id)] == [
        ("FAM", 1),
        ("HEAD", 2),
    ]


# The invoice a booking gets


def booked_invoice(session: Session, make: Any, service_type: Any) -> Invoice:
    slot = make.slot(NOW + timedelta(days=3), service_types=[service_type])
    booking = book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=make.client().id,
        now=NOW,
    )
    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert invoice is not None
    return invoice


def test_a_booking_gets_an_invoice_with_the_types_items_times_their_quantities(
    session: Session, make: Any
) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    fee = item(session, "SF-FAMILY", "150.00", category=PriceCategory.SESSION_FEE)
    prints = item(session, "PRINT-5X7", "12.50", category=PriceCategory.PRODUCT)
    pricelist.add_type_item(session, service_type.id, fee.id, 1)
    pricelist.add_type_item(session, service_type.id, prints.id, 2)

    invoice = booked_invoice(session, make, service_type)

    assert [
        (line.code, line.description, line.category, line.quantity, line.unit_price, line.amount)
        for line in invoice.lines
    ] == [
        ("SF-FAMILY", "SF-FAMILY item", PriceCategory.SESSION_FEE, 1, 15000, 15000),
        ("PRINT-5X7", "PRINT-5X7 item", PriceCategory.PRODUCT, 2, 1250, 2500),
    ]


def test_a_booking_of_a_type_without_items_gets_an_invoice_for_zero(
    session: Session, make: Any
) -> None:
    service_type = make.service_type(auto_create_invoice=True)

    invoice = booked_invoice(session, make, service_type)

    assert invoice.lines == []
    assert sum(line.amount for line in invoice.lines) == 0


def test_an_item_deactivated_after_it_was_added_is_still_invoiced(
    session: Session, make: Any
) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    fee = item(session, "FEE", "80")
    pricelist.add_type_item(session, service_type.id, fee.id, 1)
    pricelist.set_item_active(session, fee.id, False)

    invoice = booked_invoice(session, make, service_type)

    assert [(line.code, line.amount) for line in invoice.lines] == [("FEE", 8000)]


def test_a_later_price_change_leaves_an_existing_invoice_alone(session: Session, make: Any) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    fee = item(session, "FEE", "80")
    pricelist.add_type_item(session, service_type.id, fee.id, 1)
    invoice = booked_invoice(session, make, service_type)

    pricelist.update_item(session, fee.id, details(code="FEE", name="Fee", price=Decimal("95")))

    session.expire_all()
    assert [line.unit_price for line in invoice.lines] == [8000]
