"""Staff choose a service type's promo items on its Billing tab (seed 000, myStratus "Online
Booking 2"): the promotional items whose codes clients may type; htmx in place and without
JavaScript, bad input a 4xx with a message."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.models import (
    FieldMode,
    KindPreferences,
    PriceCategory,
    PriceListItem,
    ServiceKind,
    ServiceTypeItem,
)
from core.services import promo_items
from tests.conftest import WebClient
from tests.web.helpers import text_of


def item(make: Any, code: str, price: int = 0, **kw: Any) -> PriceListItem:
    defaults = {"name": f"{code} item", "category": PriceCategory.PROMOTIONAL, "price": price}
    return make._save(PriceListItem(code=code, **{**defaults, **kw}))  # type: ignore[no-any-return]


def offered(db_session: Any, service_type: Any) -> list[str]:
    db_session.expire_all()
    return [i.code for i in promo_items.offered_items(db_session, service_type.id)]


def billing_url(service_type: Any) -> str:
    return f"/admin/service-types/{service_type.id}/billing"


def htmx_post(web: WebClient, url: str, data: dict[str, Any] | None = None) -> Any:
    return web.post(url, data, headers={"HX-Request": "true", "HX-Target": "promo-items"})


@pytest.mark.parametrize(
    "url", ["/admin/service-types/1/promo-items", "/admin/service-types/1/promo-items/1/remove"]
)
def test_anonymous_visitors_are_sent_to_the_staff_login(web: WebClient, url: str) -> None:
    response = web.post(url)

    assert response.status_code == 303
    assert response.location.startswith("/admin/login?next=")


def test_the_billing_tab_offers_active_promotional_items_only(
    staff_web: WebClient, make: Any
) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    item(make, "FREE810", name="Free 8x10 print")
    item(make, "OLD", active=False)
    item(make, "SF", 15000, category=PriceCategory.SESSION_FEE)

    page = staff_web.get(billing_url(service_type)).get_data(as_text=True)

    assert "No promo items yet" in text_of(staff_web.get(billing_url(service_type)))
    options = page[page.index('id="promo-item"') :]
    options = options[: options.index("</select>")]
    assert "FREE810 · Free 8x10 print · $0.00" in options
    assert "OLD" not in options and "SF ·" not in options


def test_an_item_offered_without_javascript_is_listed_with_its_value(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    spring = item(make, "SPRING25", 2500, name="Spring credit")

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/promo-items", {"promo-item": spring.id}
    )

    assert response.status_code == 303 and response.location.endswith("/billing#promo-items")
    assert offered(db_session, service_type) == ["SPRING25"]
    page = text_of(staff_web.get(response.location))
    assert f"SPRING25 offered: clients booking {service_type.name} may type it" in page
    assert "SPRING25 Spring credit $25.00 Remove" in page


def test_with_htmx_the_list_swaps_in_place_and_says_what_happened(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    free = item(make, "FREE810", name="Free 8x10 print")
    staff_web.get(billing_url(service_type))

    response = htmx_post(
        staff_web, f"/admin/service-types/{service_type.id}/promo-items", {"promo-item": free.id}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="promo-items"')
    assert "<html" not in html
    assert '<div id="promo-items-status" hx-swap-oob="innerHTML">FREE810 offered' in html
    assert "FREE810 Free 8x10 print Noted only" in text_of(response)


def test_remove_an_item(staff_web: WebClient, make: Any, db_session: Any) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    free = item(make, "FREE810")
    promo_items.add_promo_item(db_session, service_type.id, free.id)
    staff_web.get(billing_url(service_type))

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/promo-items/{free.id}/remove"
    )

    assert response.status_code == 303
    assert offered(db_session, service_type) == []
    assert "FREE810 is no longer offered" in text_of(staff_web.get(response.location))


def test_remove_with_htmx(staff_web: WebClient, make: Any, db_session: Any) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    free = item(make, "FREE810")
    promo_items.add_promo_item(db_session, service_type.id, free.id)
    staff_web.get(billing_url(service_type))

    response = htmx_post(
        staff_web, f"/admin/service-types/{service_type.id}/promo-items/{free.id}/remove"
    )

    assert response.status_code == 200
    assert "No promo items yet" in text_of(response)
    assert 'id="promo-items-heading" tabindex="-1" autofocus' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("choice", "status", "message"),
    [
        ("", 400, "Choose a promotional item."),
        ("abc", 400, "Choose a promotional item."),
        ("99999999999", 400, "Choose a promotional item."),
        ("SF", 400, "SF is a session fee item: only promotional items can be offered"),
        ("PROMO-1", 400, "Clients could not type PROMO-1"),
        ("OLD", 409, "OLD is inactive. Reactivate it in the price list first."),
        ("FREE810", 409, "FREE810 is already offered for this type."),
        ("404", 404, "We could not find that price list item."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bad_choices_are_refused_next_to_the_field(
    staff_web: WebClient,
    make: Any,
    db_session: Any,
    choice: str,
    status: int,
    message: str,
    htmx: bool,
) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    rows = {
        "SF": item(make, "SF", 15000, category=PriceCategory.SESSION_FEE),
        "PROMO-1": item(make, "PROMO-1"),
        "OLD": item(make, "OLD", active=False),
        "FREE810": item(make, "FREE810"),
    }
    promo_items.add_promo_item(db_session, service_type.id, rows["FREE810"].id)
    value = str(rows[choice].id) if choice in rows else choice
    if choice == "404":
        value = str(max(r.id for r in rows.values()) + 100)
    staff_web.get(billing_url(service_type))
    url = f"/admin/service-types/{service_type.id}/promo-items"

    data = {"promo-item": value}
    response = htmx_post(staff_web, url, data) if htmx else staff_web.post(url, data)

    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert f'<p class="error" id="promo-item-error">{message}' in html
    assert 'aria-invalid="true"' in html
    assert offered(db_session, service_type) == ["FREE810"]


def test_removing_an_item_not_offered_is_a_404_with_a_message(
    staff_web: WebClient, make: Any
) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    free = item(make, "FREE810")
    staff_web.get(billing_url(service_type))

    response = staff_web.post(
        f"/admin/service-types/{service_type.id}/promo-items/{free.id}/remove"
    )

    assert response.status_code == 404
    assert "That promo item is not offered for this session type." in text_of(response)


def test_an_unknown_type_is_a_404(staff_web: WebClient, make: Any) -> None:
    free = item(make, "FREE810")
    staff_web.get("/admin/service-types")

    response = staff_web.post("/admin/service-types/999999/promo-items", {"promo-item": free.id})

    assert response.status_code == 404


def test_an_item_deactivated_later_is_shown_as_not_usable(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    free = item(make, "FREE810")
    promo_items.add_promo_item(db_session, service_type.id, free.id)
    free.active = False
    db_session.commit()

    page = text_of(staff_web.get(billing_url(service_type)))

    assert "FREE810 FREE810 item Inactive Clients typing it are told it is not valid." in page


def test_staff_are_told_when_clients_are_not_asked_for_a_code(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type(auto_create_invoice=True)
    make._save(KindPreferences(kind=ServiceKind.SESSION, promo_code_mode=FieldMode.HIDDEN))

    page = text_of(staff_web.get(billing_url(service_type)))

    assert "The promo code field is hidden on the Sessions tab. Change it" in page
    assert db_session.scalar(select(KindPreferences.promo_code_mode)) is FieldMode.HIDDEN


def test_the_promotions_preview_prices_a_promo_item_code(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    make.studio()
    fee = item(make, "SF", 5000, category=PriceCategory.SESSION_FEE)
    service_type = make.service_type(auto_create_invoice=True)
    make._save(ServiceTypeItem(service_type_id=service_type.id, item_id=fee.id, position=0))
    spring = item(make, "SPRING25", 2500, name="Spring credit")
    promo_items.add_promo_item(db_session, service_type.id, spring.id)
    query = {
        "service_type": service_type.id,
        "location": make.location().id,
        "day": "2026-11-30",
        "start_time": "10:00",
        "client": "0",
        "online": "y",
        "code": "spring25",
    }

    response = staff_web.get("/admin/promotions/preview", query_string=query)

    assert response.status_code == 200
    page = text_of(response)
    assert "Code SPRING25 applied: $25.00 off." in page
    assert "Spring credit (code SPRING25): $25.00 off" in page
