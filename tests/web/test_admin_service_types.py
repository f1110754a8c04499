"""Staff manage session and appointment types and copy each one's online booking link."""

from __future__ import annotations

from typing import Any

import pytest
from flask import url_for
from sqlalchemy import select

from core.models import ServiceKind, ServiceType
from tests.conftest import WebClient


def form(**changes: Any) -> dict[str, Any]:
    values = {
        "kind": "session",
        "name": "FAM",
        "online": "y",
        "online_name": "Family Portrait Session",
        "marketing_description": "An hour in the studio for up to six people.",
        "slug": "family-portrait",
        "duration_minutes": "60",
        "display_price": "125.50",
        "location_address": "214 Wythe Avenue, Brooklyn",
    }
    return {key: value for key, value in {**values, **changes}.items() if value is not None}


def stored(db_session: Any, slug: str) -> ServiceType | None:
    db_session.expire_all()
    return db_session.scalar(select(ServiceType).where(ServiceType.slug == slug))


def test_service_types_are_listed_with_price_and_duration(staff_web: WebClient, make: Any) -> None:
    make.service_type(name="HEAD", slug="headshots", duration_minutes=30, display_price=9500)

    page = staff_web.get("/admin/service-types").get_data(as_text=True)

    assert "HEAD" in page
    assert "30 min" in page
    assert "$95.00" in page


def test_create_a_service_type_with_every_field(staff_web: WebClient, db_session: Any) -> None:
    response = staff_web.post("/admin/service-types/new", form())

    assert response.status_code == 303
    created = stored(db_session, "family-portrait")
    assert created is not None
    assert response.location == f"/admin/service-types/{created.id}"
    assert (created.kind, created.name, created.online) == (ServiceKind.SESSION, "FAM", True)
    assert created.online_name == "Family Portrait Session"
    assert created.marketing_description == "An hour in the studio for up to six people."
    assert (created.duration_minutes, created.display_price) == (60, 12550)
    assert created.location_address == "214 Wythe Avenue, Brooklyn"


def test_a_blank_display_price_shows_no_price(staff_web: WebClient, db_session: Any) -> None:
    staff_web.post("/admin/service-types/new", form(display_price="", online=None))

    created = stored(db_session, "family-portrait")
    assert created is not None
    assert (created.display_price, created.online) == (None, False)


def test_edit_a_service_type(staff_web: WebClient, make: Any, db_session: Any) -> None:
    existing = make.service_type(slug="couples", online=True)

    response = staff_web.post(
        f"/admin/service-types/{existing.id}",
        form(kind="appointment", name="COUP", slug="couples-2", duration_minutes="90", online=None),
    )

    assert response.status_code == 303
    changed = stored(db_session, "couples-2")
    assert changed is not None and changed.id == existing.id
    assert (changed.kind, changed.duration_minutes, changed.online) == (
        ServiceKind.APPOINTMENT,
        90,
        False,
    )


def test_the_edit_form_shows_the_stored_values(staff_web: WebClient, make: Any) -> None:
    existing = make.service_type(name="NEWB", slug="newborn", display_price=25000)

    page = staff_web.get(f"/admin/service-types/{existing.id}").get_data(as_text=True)

    assert 'value="NEWB"' in page
    assert 'value="newborn"' in page
    assert 'value="250.00"' in page


def test_a_duplicate_slug_is_a_409_next_to_the_slug(staff_web: WebClient, make: Any) -> None:
    make.service_type(slug="family-portrait")

    response = staff_web.post("/admin/service-types/new", form(name="OTHER"))

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'id="slug-error"' in page
    assert "Another session type already uses this slug." in page
    assert 'value="OTHER"' in page  # what was typed is kept


def test_taking_another_types_slug_on_edit_is_a_409(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    make.service_type(slug="family-portrait")
    other = make.service_type(slug="headshots")

    response = staff_web.post(f"/admin/service-types/{other.id}", form())

    assert response.status_code == 409
    assert stored(db_session, "headshots") is not None


@pytest.mark.parametrize("slug", ["Family Portrait", "family_portrait", "-family", "checkout"])
def test_an_invalid_slug_is_a_400_next_to_the_slug(
    staff_web: WebClient, db_session: Any, slug: str
) -> None:
    response = staff_web.post("/admin/service-types/new", form(slug=slug))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="slug-error"' in page
    assert f'value="{slug}"' in page
    assert db_session.scalar(select(ServiceType)) is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter an internal name."),
        ("duration_minutes", "0", "Enter a duration between 1 and 1440 minutes."),
        ("duration_minutes", "an hour", "Not a valid integer value."),
        ("display_price", "12.345", "Use at most two decimals"),
        ("display_price", "cheap", "Enter a price like 125 or 125.50."),
        ("display_price", "NaN", "Enter a price like 125 or 125.50."),
        ("display_price", "-5", "Enter a price from 0 to 1,000,000."),
        ("kind", "workshop", "Not a valid choice"),
    ],
)
def test_invalid_fields_are_a_400_with_the_message_next_to_the_field(
    staff_web: WebClient, field: str, value: str, message: str
) -> None:
    response = staff_web.post("/admin/service-types/new", form(**{field: value}))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page


def test_the_edit_page_shows_the_widget_deep_link_to_copy(
    staff_web: WebClient, make: Any, app: Any
) -> None:
    existing = make.service_type(slug="newborn")

    page = staff_web.get(f"/admin/service-types/{existing.id}").get_data(as_text=True)

    with app.app_context():
        link = url_for("widget.book_type", slug="newborn", _external=True)
    assert link == "http://studio.test/book/newborn"
    assert f'id="booking-link" class="copy-source" type="url" value="{link}" readonly' in page
    assert 'data-copy="booking-link"' in page
    assert "Copy online booking URL" in page


@pytest.mark.parametrize("service_type_id", ["999", "99999999999999999999999", "abc"])
def test_an_unknown_service_type_is_a_404(staff_web: WebClient, service_type_id: str) -> None:
    assert staff_web.get(f"/admin/service-types/{service_type_id}").status_code == 404


def test_saving_an_unknown_service_type_is_a_404(staff_web: WebClient) -> None:
    assert staff_web.post("/admin/service-types/999", form()).status_code == 404
