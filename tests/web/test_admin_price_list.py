"""Staff keep the price list: search, add, edit, deactivate and reactivate items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.models import PriceCategory, PriceListItem
from core.services import pricelist
from core.services.pricelist import PriceItemDetails
from tests.conftest import WebClient
from tests.web.helpers import count_queries, text_of


def form(**changes: Any) -> dict[str, Any]:
    values = {"code": "sf-family", "name": "Family session fee", "category": "session_fee"}
    return {**values, "price": "150.00", **changes}


def add_item(db_session: Any, code: str, name: str = "", price: str = "10") -> PriceListItem:
    details = PriceItemDetails(code, name or f"{code} item", PriceCategory.PRODUCT, Decimal(price))
    return pricelist.create_item(db_session, details)


def stored(db_session: Any, code: str) -> PriceListItem | None:
    db_session.expire_all()
    return db_session.scalar(select(PriceListItem).where(PriceListItem.code == code))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/price-list"),
        ("get", "/admin/price-list/new"),
        ("post", "/admin/price-list/new"),
        ("get", "/admin/price-list/1"),
        ("post", "/admin/price-list/1"),
        ("post", "/admin/price-list/1/deactivate"),
        ("post", "/admin/price-list/1/reactivate"),
    ],
)
def test_anonymous_visitors_are_sent_to_the_staff_login(
    web: WebClient, method: str, url: str
) -> None:
    response = getattr(web, method)(url)

    assert response.status_code == 303
    assert response.location.startswith("/admin/login?next=")


def test_items_are_listed_with_category_price_and_status(
    staff_web: WebClient, db_session: Any
) -> None:
    add_item(db_session, "PRINT-8X10", "8x10 print", "24.50")
    old = add_item(db_session, "OLD")
    pricelist.set_item_active(db_session, old.id, False)

    page = text_of(staff_web.get("/admin/price-list"))

    assert "PRINT-8X10 8x10 print Product $24.50 Active" in page
    assert "OLD OLD item Product $10.00 Inactive" in page
    assert "2 items." in page


@pytest.mark.parametrize("query", ["print", "PRINT-8", "8X10 Print"])
def test_search_finds_items_by_code_or_name_in_any_case(
    staff_web: WebClient, db_session: Any, query: str
) -> None:
    add_item(db_session, "PRINT-8X10", "8x10 print")
    add_item(db_session, "SF-FAMILY", "Family session fee")

    page = text_of(staff_web.get("/admin/price-list", query_string={"q": query}))

    assert "PRINT-8X10" in page
    assert "SF-FAMILY" not in page
    assert f"contains “{query}”: 1 item." in page


def test_a_search_that_finds_nothing_says_so(staff_web: WebClient, db_session: Any) -> None:
    add_item(db_session, "SF-FAMILY")

    page = text_of(staff_web.get("/admin/price-list?q=canvas"))

    assert "No item’s code or name contains “canvas”." in page


def test_a_long_list_is_shown_a_page_at_a_time_with_the_count(
    staff_web: WebClient, db_session: Any
) -> None:
    for n in range(55):
        add_item(db_session, f"ITEM-{n:02d}")

    first = text_of(staff_web.get("/admin/price-list"))
    second = text_of(staff_web.get("/admin/price-list?page=2"))

    assert "1–50 of 55" in first and "ITEM-49" in first and "ITEM-50" not in first
    assert "51–55 of 55" in second and "ITEM-50" in second and "Page 2 of 2" in second


@pytest.mark.parametrize("page", ["0", "two", "-1", "9999999"])
def test_a_page_that_is_not_a_page_number_is_a_400(staff_web: WebClient, page: str) -> None:
    assert staff_web.get(f"/admin/price-list?page={page}").status_code == 400


def test_the_list_takes_the_same_number_of_queries_for_3_or_40_items(
    staff_web: WebClient, db_session: Any, app_engine: Any
) -> None:
    for n in range(3):
        add_item(db_session, f"FEW-{n}")
    staff_web.get("/admin/price-list")  # warm up: the login session and the studio row
    with count_queries(app_engine) as few:
        staff_web.get("/admin/price-list")
    for n in range(37):
        add_item(db_session, f"MANY-{n}")
    staff_web.get("/admin/price-list")  # items are watched: the process's cache is read again

    with count_queries(app_engine) as many:
        staff_web.get("/admin/price-list")

    assert len(many) == len(few)


def test_add_an_item(staff_web: WebClient, db_session: Any) -> None:
    response = staff_web.post("/admin/price-list/new", form())

    assert response.status_code == 303
    assert response.location == "/admin/price-list?q=SF-FAMILY"
    created = stored(db_session, "SF-FAMILY")
    assert created is not None
    assert (created.name, created.category, created.price, created.active) == (
        "Family session fee",
        PriceCategory.SESSION_FEE,
        15000,
        True,
    )


def test_a_duplicate_code_is_a_409_next_to_the_code(staff_web: WebClient, db_session: Any) -> None:
    add_item(db_session, "SF-FAMILY")

    response = staff_web.post("/admin/price-list/new", form(code=" Sf-Family ", name="Typed"))

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'id="code-error"' in page
    assert "Another price list item already uses this code." in page
    assert 'value="Typed"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "", "Enter an item code"),
        ("code", "SF_FAMILY", "Use letters, digits, spaces and hyphens only"),
        ("name", "", "Enter the item’s name."),
        ("category", "voucher", "Not a valid choice"),
        ("price", "", "Enter the price, for example 125.50."),
        ("price", "12.345", "Use at most 2 decimals, for example 125.55."),
        ("price", "cheap", "Enter an amount like 125 or 125.50."),
        ("price", "NaN", "Enter an amount like 125 or 125.50."),
        ("price", "-5", "The amount cannot be negative."),
        ("price", "1e400000", "Enter an amount of at most 1,000,000."),
    ],
)
def test_invalid_fields_are_a_400_with_the_message_next_to_the_field(
    staff_web: WebClient, db_session: Any, field: str, value: str, message: str
) -> None:
    response = staff_web.post("/admin/price-list/new", form(**{field: value}))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in text_of(response)
    assert db_session.scalar(select(PriceListItem)) is None


def test_the_edit_form_shows_the_stored_values(staff_web: WebClient, db_session: Any) -> None:
    item = add_item(db_session, "PRINT-8X10", "8x10 print", "24.50")

    page = staff_web.get(f"/admin/price-list/{item.id}").get_data(as_text=True)

    assert 'value="PRINT-8X10"' in page
    assert 'value="8x10 print"' in page
    assert 'value="24.50"' in page


def test_edit_an_item(staff_web: WebClient, db_session: Any) -> None:
    item = add_item(db_session, "PRINT-8X10")

    response = staff_web.post(
        f"/admin/price-list/{item.id}",
        form(code="print-8x10-lustre", name="8x10 lustre", category="product", price="30"),
    )

    assert response.status_code == 303
    changed = stored(db_session, "PRINT-8X10-LUSTRE")
    assert changed is not None and changed.id == item.id
    assert (changed.name, changed.price) == ("8x10 lustre", 3000)


def test_the_edit_page_names_the_types_that_use_the_item(
    staff_web: WebClient, db_session: Any, make: Any
) -> None:
    item = add_item(db_session, "SF-FAMILY")
    family = make.service_type(name="FAM")
    pricelist.add_type_item(db_session, family.id, item.id, 2)

    page = text_of(staff_web.get(f"/admin/price-list/{item.id}"))

    assert "Added to invoices of FAM × 2" in page


@pytest.mark.parametrize("item_id", ["999", "99999999999999999999999", "abc"])
def test_an_unknown_item_is_a_404(staff_web: WebClient, item_id: str) -> None:
    assert staff_web.get(f"/admin/price-list/{item_id}").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/admin/price-list/999",
        "/admin/price-list/999/deactivate",
        "/admin/price-list/999/reactivate",
    ],
)
def test_posting_to_an_unknown_item_is_a_404(staff_web: WebClient, url: str) -> None:
    assert staff_web.post(url, form()).status_code == 404


def test_deactivate_an_item_and_return_to_the_same_search(
    staff_web: WebClient, db_session: Any
) -> None:
    item = add_item(db_session, "SF-FAMILY")

    response = staff_web.post(
        f"/admin/price-list/{item.id}/deactivate", {"q": "family", "page": "1"}
    )

    assert response.status_code == 303
    assert response.location == "/admin/price-list?q=family&page=1"
    changed = stored(db_session, "SF-FAMILY")
    assert changed is not None and not changed.active


def test_reactivate_an_item(staff_web: WebClient, db_session: Any) -> None:
    item = add_item(db_session, "SF-FAMILY")
    pricelist.set_item_active(db_session, item.id, False)

    response = staff_web.post(f"/admin/price-list/{item.id}/reactivate")

    assert response.status_code == 303
    changed = stored(db_session, "SF-FAMILY")
    assert changed is not None and changed.active


def test_the_admin_navigation_links_to_the_price_list(staff_web: WebClient) -> None:
    page = staff_web.get("/admin/price-list").get_data(as_text=True)

    assert '<a href="/admin/price-list" aria-current="page">Price list</a>' in page
