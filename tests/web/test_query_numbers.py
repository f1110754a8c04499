"""Numbers in the query string that no row or page could have (past a 32-bit id, past a 64-bit
integer) are read as "none" or a 4xx, never a database error: PostgreSQL refuses an integer
parameter out of its range and SQLite one past 64 bits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.services.booking import book
from tests.conftest import WebClient
from tests.web.helpers import at, log_in_client

HUGE = ("2147483648", "99999999999999999999999", "-99999999999999999999999")


@pytest.mark.parametrize("number", HUGE)
def test_the_widget_reads_an_impossible_number_as_none(
    web: WebClient, make: Any, db_session: Session, number: str
) -> None:
    service_type = make.service_type(slug="fam")
    slot = make.slot(at(2026, 12, 3, 15), service_types=[service_type])
    client = make.client()
    booking = book(
        db_session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=client.id,
        now=datetime(2026, 11, 23, tzinfo=UTC),
    )
    log_in_client(web, client)
    slug = service_type.slug
    for url in (
        f"/book/{slug}?location={number}",
        f"/book?location={number}",
        f"/account/bookings/{booking.public_id}/reschedule?slot_id={number}",
        f"/account/bookings/{booking.public_id}/reschedule/confirm?slot_id={number}",
    ):
        assert web.get(url).status_code < 500, url


@pytest.mark.parametrize("number", HUGE)
def test_the_admin_reads_an_impossible_number_as_none(staff_web: WebClient, number: str) -> None:
    for url in (
        f"/admin/clients?page={number}",
        f"/admin/mail?page={number}",
        f"/admin/organizations?page={number}",
        f"/admin/promotions?page={number}",
        f"/admin/slots/waitlist?type={number}",
        f"/admin/slots?location={number}",
        f"/admin/slots?resource={number}",
        f"/admin/bookings?page={number}",
        f"/admin/invoices?page={number}",
    ):
        assert staff_web.get(url).status_code < 500, url
