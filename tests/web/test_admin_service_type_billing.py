"""Staff set a session type's billing (seed 002): auto-create invoice, online payment, payment
option, and the price list items every invoice for the type gets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.models import Invoice, PaymentOption, PriceCategory, PriceListItem, ServiceType
from core.services import pricelist
from core.services.booking import book
from core.services.pricelist import PriceItemDetails
from tests.conftest import NOW, WebClient
from tests.web.helpers import text_of


def billing(**changes: Any) -> dict[str, Any]:
    values = {
        "auto_create_invoice": "y",
        "online_payment_required": "y",
        "payment_option": "listed_amount",
        "payment_amount": "50.00",
        **changes,
    }
    return {key: value for key, value in values.items() if value is not None}


def add_item(db_session: Any, code: str, price: str = "10") -> PriceListItem:
    details = PriceItemDetails(code, f"{code} item", PriceCategory.SERVICE, Decimal(price))
    return pricelist.create_item(db_session, details)


def fresh(db_session: Any, service_type: ServiceType) -> ServiceType:
    db_session.expire_all()
    return db_session.get(ServiceType, service_type.id)  # type: ignore[no-any-return]


def items_of(db_session: Any, service_type: ServiceType) -> list[tuple[str, int]]:
    db_session.expire_all()
    return [(e.item.code, e.quantity) for e in pricelist.type_items(db_session, service_type.id)]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/service-types/1/billing"),
        ("post", "/admin/service-types/1/billing"),
        ("post", "/admin/service-types/1/items"),
        ("post", "/admin/service-types/1/items/1/quantity"),
        ("post", "/admin/service-types/1/items/1/remove"),
        ("post", "/admin/service-types/1/items/1/move"),
    ],
)
def test_anonymous_visitors_are_sent_to_the_staff_login(
    web: WebClient, method: str, url: str
) -> None:
    response = getattr(web, method)(url)

    assert response.status_code == 303
    assert response.location.startswith("/admin/login?next=")


def test_the_billing_tab_explains_the_three_payment_options(
    staff_web: WebClient, make: Any
) -> None:
    service_type = make.service_type()

    page = text_of(staff_web.get(f"/admin/service-types/{service_type.id}/billing"))

    assert (
        "Require invoice payment in listed price Only available with “Auto-create invoice”" in page
    )
    assert "Require invoice payment in full amount" in page
    assert "a promo code that brings the price below the listed price" in page
    assert "Require customer deposit Creates a customer deposit of the amount below" in page
    assert "With no items the invoice is still created, for $0.00." in page


def test_both_tabs_link_to_each_other(staff_web: WebClient, make: Any) -> None:
    service_type = make.service_type()
    details = f"/admin/service-types/{service_type.id}"

    page = staff_web.get(details).get_data(as_text=True)

    assert f'href="{details}" aria-current="page">Details' in page
    assert f'href="{details}/billing">Billing' in page


def test_save_the_billing_settings(staff_web: WebClient, make: Any, db_session: Any) -> None:
    service_type = make.service_type()

    response = staff_web.post(f"/admin/service-types/{service_type.id}/billing", billing())

    assert response.status_code == 303
    assert response.location == f"/admin/service-types/{service_type.id}/billing"
    saved = fresh(db_session, service_type)
    assert saved.auto_create_invoice and saved.online_payment_required
    assert (saved.payment_option, saved.payment_amount) == (PaymentOption.LISTED_AMOUNT, 5000)


def test_the_billing_form_shows_the_stored_values(staff_web: WebClient, make: Any) -> None:
    service_type = make.service_type(
        online_payment_required=True, payment_option=PaymentOption.DEPOSIT, payment_amount=2500
    )

    page = staff_web.get(f"/admin/service-types/{service_type.id}/billing").get_data(as_text=True)

    assert 'checked id="online_payment_required"' in page
    assert 'checked id="auto_create_invoice"' not in page
    assert 'checked id="payment_option-3"' in page  # the deposit
    assert 'value="25.00"' in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"payment_option": ""}, "payment_option", "Online payment is required: choose how"),
        ({"auto_create_invoice": None}, "payment_option", "An invoice payment needs"),
        (
            {"auto_create_invoice": None, "payment_option": "full_amount"},
            "payment_option",
            "An invoice payment needs",
        ),
        ({"payment_amount": ""}, "payment_amount", "Enter the amount to pay online."),
        ({"payment_amount": "0"}, "payment_amount", "must be more than 0"),
        ({"payment_option": "deposit", "payment_amount": ""}, "payment_amount", "the deposit"),
        ({"payment_amount": "12.345"}, "payment_amount", "Use at most 2 decimals"),
        ({"payment_amount": "lots"}, "payment_amount", "Enter an amount like 125 or 125.50."),
        ({"payment_option": "voucher"}, "payment_option", "Not a valid choice"),
    ],
)
def test_billing_that_cannot_work_is_a_400_next_to_the_setting(
    staff_web: WebClient,
    make: Any,
    db_session: Any,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    service_type = make.service_type()

    response = staff_web.post(f"/admin/service-types/{service_type.id}/billing", billing(**changes))

    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert message in text_of(response)
    assert fresh(db_session, service_type).payment_option is None


def test_a_refused_billing_form_keeps_what_was_typed(staff_web: WebClient, make: Any) -> None:
    service_type = make.service_type()

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/billing",
        billing(auto_create_invoice=None, payment_amount="42.5"),
    )

    page = response.get_data(as_text=True)
    assert 'value="42.5"' in page
    assert 'checked id="payment_option-1"' in page  # the listed amount


def test_add_items_and_see_the_invoice_total(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type(auto_create_invoice=True, display_price=None)
    fee, prints = add_item(db_session, "SF-FAMILY", "150"), add_item(db_session, "PRINTS", "12.50")
    url = f"/admin/service-types/{service_type.id}/items"

    first = staff_web.post(url, {"add-item": fee.id, "add-quantity": "1"})
    staff_web.get(first.location)
    staff_web.post(url, {"add-item": prints.id, "add-quantity": "2"}, follow_redirects=True)

    assert first.status_code == 303
    assert items_of(db_session, service_type) == [("SF-FAMILY", 1), ("PRINTS", 2)]
    page = text_of(staff_web.get(f"/admin/service-types/{service_type.id}/billing"))
    assert "Created with the booking, for $175.00 (2 price list items)" in page
    assert "Invoice total $175.00" in page


def test_adding_an_item_already_there_adds_to_its_quantity(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type()
    fee = add_item(db_session, "FEE")
    pricelist.add_type_item(db_session, service_type.id, fee.id, 1)

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/items", {"add-item": fee.id, "add-quantity": "2"}
    )

    assert response.status_code == 303
    assert items_of(db_session, service_type) == [("FEE", 3)]


def test_only_active_items_are_offered_to_add(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type()
    add_item(db_session, "KEEP")
    old = add_item(db_session, "OLD")
    pricelist.set_item_active(db_session, old.id, False)

    page = staff_web.get(f"/admin/service-types/{service_type.id}/billing").get_data(as_text=True)

    assert "KEEP · KEEP item" in page
    assert "OLD · OLD item" not in page


def test_adding_an_inactive_item_is_a_409_next_to_the_item(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type()
    old = add_item(db_session, "OLD")
    pricelist.set_item_active(db_session, old.id, False)

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/items", {"add-item": old.id, "add-quantity": "1"}
    )

    assert response.status_code == 409
    assert 'id="add-item-error"' in response.get_data(as_text=True)
    assert "OLD is inactive, so it cannot be added." in text_of(response)
    assert items_of(db_session, service_type) == []


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "Enter a quantity from 1 to 999."),
        ("1000", "Enter a quantity from 1 to 999."),
        ("", "Enter a quantity, for example 1."),
        ("two", "Not a valid integer value."),
    ],
)
def test_adding_a_bad_quantity_is_a_400_next_to_the_quantity(
    staff_web: WebClient, make: Any, db_session: Any, quantity: str, message: str
) -> None:
    service_type = make.service_type()
    fee = add_item(db_session, "FEE")

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/items",
        {"add-item": fee.id, "add-quantity": quantity},
    )

    assert response.status_code == 400
    assert 'id="add-quantity-error"' in response.get_data(as_text=True)
    assert message in text_of(response)


@pytest.mark.parametrize("item_id", ["", "abc", "99999999999999999999999"])
def test_adding_something_that_is_not_an_item_is_a_400_next_to_the_item(
    staff_web: WebClient, make: Any, item_id: str
) -> None:
    service_type = make.service_type()

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/items",
        {"add-item": item_id, "add-quantity": "1"},
    )

    assert response.status_code == 400
    assert 'id="add-item-error"' in response.get_data(as_text=True)


def test_adding_an_unknown_item_is_a_404_next_to_the_item(staff_web: WebClient, make: Any) -> None:
    service_type = make.service_type()

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/items", {"add-item": "999", "add-quantity": "1"}
    )

    assert response.status_code == 404
    assert "We could not find that price list item." in text_of(response)


def test_an_item_deactivated_later_is_shown_marked_inactive(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type()
    old = add_item(db_session, "OLD")
    pricelist.add_type_item(db_session, service_type.id, old.id, 1)
    pricelist.set_item_active(db_session, old.id, False)

    page = text_of(staff_web.get(f"/admin/service-types/{service_type.id}/billing"))

    assert "OLD OLD item Inactive" in page


def test_change_an_items_quantity(staff_web: WebClient, make: Any, db_session: Any) -> None:
    service_type = make.service_type()
    fee = add_item(db_session, "FEE")
    pricelist.add_type_item(db_session, service_type.id, fee.id, 1)

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/items/{fee.id}/quantity", {"quantity": "4"}
    )

    assert response.status_code == 303
    assert items_of(db_session, service_type) == [("FEE", 4)]


@pytest.mark.parametrize("quantity", ["0", "", "many", "1000"])
def test_a_bad_quantity_change_is_a_400_on_that_row_keeping_what_was_typed(
    staff_web: WebClient, make: Any, db_session: Any, quantity: str
) -> None:
    service_type = make.service_type()
    fee = add_item(db_session, "FEE")
    pricelist.add_type_item(db_session, service_type.id, fee.id, 1)

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/items/{fee.id}/quantity", {"quantity": quantity}
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="quantity-{fee.id}-error"' in page
    assert f'value="{quantity}" aria-invalid="true"' in page
    assert items_of(db_session, service_type) == [("FEE", 1)]


def test_remove_an_item(staff_web: WebClient, make: Any, db_session: Any) -> None:
    service_type = make.service_type()
    fee, prints = add_item(db_session, "FEE"), add_item(db_session, "PRINTS")
    pricelist.add_type_item(db_session, service_type.id, fee.id, 1)
    pricelist.add_type_item(db_session, service_type.id, prints.id, 1)

    response = staff_web.post(f"/admin/service-types/{service_type.id}/items/{fee.id}/remove")

    assert response.status_code == 303
    assert items_of(db_session, service_type) == [("PRINTS", 1)]


def test_move_an_item_up(staff_web: WebClient, make: Any, db_session: Any) -> None:
    service_type = make.service_type()
    fee, prints = add_item(db_session, "FEE"), add_item(db_session, "PRINTS")
    pricelist.add_type_item(db_session, service_type.id, fee.id, 1)
    pricelist.add_type_item(db_session, service_type.id, prints.id, 1)

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/items/{prints.id}/move", {"direction": "up"}
    )

    assert response.status_code == 303
    assert items_of(db_session, service_type) == [("PRINTS", 1), ("FEE", 1)]


def test_a_move_without_a_direction_is_a_400(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type()
    fee = add_item(db_session, "FEE")
    pricelist.add_type_item(db_session, service_type.id, fee.id, 1)

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/items/{fee.id}/move", {"direction": "sideways"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/admin/service-types/999/billing",
        "/admin/service-types/999/items",
        "/admin/service-types/{type}/items/999/quantity",
        "/admin/service-types/{type}/items/999/remove",
        "/admin/service-types/{type}/items/999/move",
        "/admin/service-types/99999999999999/items/1/remove",
    ],
)
def test_an_unknown_type_or_item_is_a_404(staff_web: WebClient, make: Any, url: str) -> None:
    service_type = make.service_type()

    response = staff_web.post(
        url.format(type=service_type.id), {"quantity": "1", "direction": "up", **billing()}
    )

    assert response.status_code == 404


def test_a_bad_quantity_for_an_item_not_on_the_type_is_a_404(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type()
    fee = add_item(db_session, "FEE")

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/items/{fee.id}/quantity", {"quantity": "0"}
    )

    assert response.status_code == 404


def test_the_billing_page_of_an_unknown_type_is_a_404(staff_web: WebClient) -> None:
    assert staff_web.get("/admin/service-types/999/billing").status_code == 404


# The display price is informational (seed 002): the admin warns when it differs.


def with_fee(db_session: Any, make: Any, display_price: int | None) -> ServiceType:
    service_type = make.service_type(auto_create_invoice=True, display_price=display_price)
    fee = add_item(db_session, "SF-FAMILY", "175")
    pricelist.add_type_item(db_session, service_type.id, fee.id, 1)
    return service_type  # type: ignore[no-any-return]


@pytest.mark.parametrize("tab", ["", "/billing"])
def test_a_display_price_that_differs_from_the_invoice_is_warned_about(
    staff_web: WebClient, make: Any, db_session: Any, tab: str
) -> None:
    service_type = with_fee(db_session, make, display_price=15000)

    page = text_of(staff_web.get(f"/admin/service-types/{service_type.id}{tab}"))

    assert "Clients see $150.00 but the invoice will total $175.00." in page


@pytest.mark.parametrize("display_price", [17500, None])
def test_no_warning_when_the_display_price_matches_or_is_not_shown(
    staff_web: WebClient, make: Any, db_session: Any, display_price: int | None
) -> None:
    service_type = with_fee(db_session, make, display_price=display_price)

    page = text_of(staff_web.get(f"/admin/service-types/{service_type.id}/billing"))

    assert "Clients see" not in page


def test_settings_that_cannot_work_are_shown_as_a_problem(staff_web: WebClient, make: Any) -> None:
    service_type = make.service_type(
        online_payment_required=True, payment_option=PaymentOption.FULL_AMOUNT
    )

    page = text_of(staff_web.get(f"/admin/service-types/{service_type.id}/billing"))

    assert "These billing settings cannot work: An invoice payment needs" in page


# What a booking gets, once set up through these pages


def book_one(db_session: Any, make: Any, service_type: ServiceType) -> Invoice:
    slot = make.slot(NOW + timedelta(days=4), service_types=[service_type])
    booking = book(
        db_session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=make.client().id,
        now=NOW,
    )
    invoice = db_session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert invoice is not None
    return invoice  # type: ignore[no-any-return]


def test_a_booking_gets_an_invoice_with_the_items_times_their_quantities(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type()
    fee, prints = add_item(db_session, "SF-FAMILY", "150"), add_item(db_session, "PRINTS", "12.50")
    staff_web.post(
        f"/admin/service-types/{service_type.id}/billing",
        billing(online_payment_required=None, payment_option="", payment_amount=""),
        follow_redirects=True,
    )
    for item, quantity in ((fee, "1"), (prints, "3")):
        staff_web.post(
            f"/admin/service-types/{service_type.id}/items",
            {"add-item": item.id, "add-quantity": quantity},
            follow_redirects=True,
        )

    invoice = book_one(db_session, make, service_type)

    assert [(line.code, line.quantity, line.unit_price) for line in invoice.lines] == [
        ("SF-FAMILY", 1, 15000),
        ("PRINTS", 3, 1250),
    ]
    assert sum(line.amount for line in invoice.lines) == 18750


def test_a_booking_of_a_type_without_items_gets_an_invoice_for_zero(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type()
    staff_web.post(
        f"/admin/service-types/{service_type.id}/billing",
        billing(online_payment_required=None, payment_option="", payment_amount=""),
    )

    invoice = book_one(db_session, make, service_type)

    assert (invoice.lines, sum(line.amount for line in invoice.lines)) == ([], 0)
