"""An organization's booking link in the widget: the deep link, its own types and slots, a
friendly page for a link that is not active, members only, closed registration, and the
?org= context kept through every step."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from core.models import (
    Booking,
    Client,
    Location,
    OnlinePreferences,
    Organization,
    SlotState,
    TimeSlot,
)
from tests.factories import PASSWORD
from tests.web.helpers import at, count_queries, log_in_client, slot_ids, text_of

ORG = "?org=lincoln-high"


@pytest.fixture
def school(make: Any) -> dict[str, Any]:
    """Lincoln High with a School portrait type (not online) on its own slot, next to a public
    Family type on a public slot; both slots at one location, 3 Dec 2026."""
    family = make.service_type(online_name="Family Portrait", slug="family")
    portrait = make.service_type(online_name="School portrait", slug="school", online=False)
    lincoln = make._save(
        Organization(
            name="Lincoln High",
            slug="lincoln-high",
            welcome="Picture day is coming!",
            service_types=[portrait, family],
        )
    )
    resource = make.resource()
    public_slot = make.slot(at(2026, 12, 3, 15), service_types=[family], resource=resource)
    school_slot = make.slot(
        at(2026, 12, 3, 16),
        service_types=[portrait, family],
        resource=resource,
        organization_id=lincoln.id,
    )
    member = make.client(name="Jordan Lee", organization_id=lincoln.id)
    return {
        "lincoln": lincoln,
        "public_slot": public_slot,
        "school_slot": school_slot,
        "member": member,
        "family": family,
        "portrait": portrait,
    }


def _org_of(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("org", [])


def test_the_deep_link_opens_the_organizations_pages(web, school):
    response = web.get("/o/lincoln-high")
    assert response.status_code == 302 and response.location == "/book?org=lincoln-high"
    to_type = web.get("/o/lincoln-high/school")
    assert to_type.location == "/book/school?org=lincoln-high"


def test_the_organizations_page_shows_its_name_welcome_and_only_its_types(web, school, make):
    make.service_type(online_name="Headshots")
    page = text_of(web.get("/book" + ORG))
    assert "Lincoln High" in page and "Picture day is coming!" in page
    assert "School portrait" in page and "Family Portrait" in page
    assert "Headshots" not in page


def test_the_public_widget_never_shows_the_organization_or_its_type(web, school):
    page = text_of(web.get("/book"))
    assert "Family Portrait" in page and "School portrait" not in page
    assert "Lincoln High" not in page
    assert web.get("/book/school").status_code == 404


@pytest.mark.parametrize("url", ["/o/nobody", "/o/nobody/school", "/book?org=nobody"])
def test_an_unknown_link_is_a_friendly_not_active_page(web, school, url):
    response = web.get(url)
    assert response.status_code == 404
    assert "This booking link is not active" in text_of(response)


def test_an_inactive_organizations_link_is_not_active(web, school, db_session):
    db_session.get(Organization, school["lincoln"].id).active = False
    db_session.commit()
    for url in ("/o/lincoln-high", "/book/school" + ORG):
        response = web.get(url)
        assert response.status_code == 404
        assert "This booking link is not active" in text_of(response)


def test_each_context_offers_only_its_slots(web, school):
    day = "day=2026-12-03"
    assert slot_ids(web.get(f"/book/family?{day}")) == [school["public_slot"].id]
    assert slot_ids(web.get(f"/book/family?{day}&org=lincoln-high")) == [school["school_slot"].id]


def test_an_organization_including_public_slots_offers_both(web, school, db_session):
    db_session.get(Organization, school["lincoln"].id).include_public_slots = True
    db_session.commit()
    ids = slot_ids(web.get("/book/family?day=2026-12-03&org=lincoln-high"))
    assert ids == [school["public_slot"].id, school["school_slot"].id]


def test_the_public_widget_refuses_to_hold_an_organizations_slot(web, school, db_session):
    slot = school["school_slot"]
    response = web.post("/book/family/hold", {"slot_id": slot.id})
    assert response.status_code == 404
    assert "That time is not offered on this booking page" in text_of(response)
    db_session.expire_all()
    assert db_session.get(TimeSlot, slot.id).state is SlotState.OPEN


def test_an_organization_refuses_to_hold_a_public_slot_it_does_not_include(web, school):
    response = web.post("/book/family/hold" + ORG, {"slot_id": school["public_slot"].id})
    assert response.status_code == 404
    assert "not offered on this booking page" in text_of(response)


def test_a_member_books_through_the_link_and_every_step_keeps_it(web, school, db_session):
    slot = school["school_slot"]
    picker = web.get("/book/school" + ORG).get_data(as_text=True)
    htmx_urls = re.findall(r'hx-get="([^"]+)"', picker)
    assert len(htmx_urls) >= 3 and all(u.endswith("org=lincoln-high") for u in htmx_urls)
    partial = web.htmx("/book/school?day=2026-12-03&org=lincoln-high", "day-times")
    assert f'value="{slot.id}"' in partial.get_data(as_text=True)
    assert 'action="/book/school/hold?org=lincoln-high"' in partial.get_data(as_text=True)

    held = web.post("/book/school/hold" + ORG, {"slot_id": slot.id})
    assert held.status_code == 303 and _org_of(held.location) == ["lincoln-high"]
    account = web.get(held.location)
    login_form = account.get_data(as_text=True)
    assert 'action="/login?org=lincoln-high"' in login_form
    assert 'name="next" value="/book/checkout?org=lincoln-high"' in login_form

    logged_in = web.post(
        "/login" + ORG,
        {"email": school["member"].email, "password": PASSWORD, "next": "/book/checkout" + ORG},
    )
    assert logged_in.location == "/book/checkout?org=lincoln-high"
    review = web.get(logged_in.location)
    assert "Review and confirm" in text_of(review) and "Lincoln High" in text_of(review)
    assert 'action="/book/confirm?org=lincoln-high"' in review.get_data(as_text=True)

    confirmed = web.post("/book/confirm" + ORG)
    assert confirmed.status_code == 303 and _org_of(confirmed.location) == ["lincoln-high"]
    page = web.get(confirmed.location)
    assert "You're booked!" in text_of(page) and "Picture day is coming!" in text_of(page)
    assert 'href="/account/bookings?org=lincoln-high"' in page.get_data(as_text=True)
    mine = web.get("/account/bookings" + ORG)
    assert "School portrait" in text_of(mine) and "Lincoln High" in text_of(mine)
    booking = db_session.scalar(select(Booking))
    assert booking.client_id == school["member"].id and booking.slot_id == slot.id


def test_asking_to_log_in_keeps_the_link(web, school):
    response = web.get("/account/bookings" + ORG)
    assert response.status_code == 303
    assert urlsplit(response.location).path == "/login"
    assert _org_of(response.location) == ["lincoln-high"]
    next_url = parse_qs(urlsplit(response.location).query)["next"][0]
    assert _org_of(next_url) == ["lincoln-high"]


def test_a_non_member_gets_an_explanation_and_cannot_book(web, school, make, db_session):
    outsider = make.client(email="outsider@example.com")
    web.post("/book/school/hold" + ORG, {"slot_id": school["school_slot"].id})
    web.post("/login" + ORG, {"email": outsider.email, "password": PASSWORD})
    checkout = web.get("/book/checkout" + ORG)
    assert checkout.status_code == 403
    page = text_of(checkout)
    assert "This booking page is for Lincoln High" in page
    assert "outsider@example.com is not on Lincoln High’s list" in page
    assert "Log out and use another account" in page
    assert web.post("/book/confirm" + ORG).status_code == 403
    assert db_session.scalar(select(func.count(Booking.id))) == 0


def test_a_logged_in_non_member_cannot_hold_through_the_link(web, school, make, db_session):
    log_in_client(web, make.client())
    response = web.post("/book/school/hold" + ORG, {"slot_id": school["school_slot"].id})
    assert response.status_code == 403
    assert "members of Lincoln High" in text_of(response)
    db_session.expire_all()
    assert db_session.get(TimeSlot, school["school_slot"].id).state is SlotState.OPEN


def test_an_organizations_time_held_in_its_link_is_refused_without_it(web, school, db_session):
    web.post("/book/school/hold" + ORG, {"slot_id": school["school_slot"].id})
    log_in_client(web, school["member"])
    response = web.post("/book/confirm")  # the ?org= taken off the URL
    assert response.status_code == 404
    assert "not offered on this booking page" in text_of(response)
    assert db_session.scalar(select(func.count(Booking.id))) == 0


def test_a_member_still_books_public_slots_in_the_public_widget(web, school, db_session):
    log_in_client(web, school["member"])
    web.post("/book/family/hold", {"slot_id": school["public_slot"].id})
    confirmed = web.post("/book/confirm")
    assert confirmed.status_code == 303 and _org_of(confirmed.location) == []
    assert db_session.scalar(select(Booking.slot_id)) == school["public_slot"].id


def test_closed_registration_hides_create_an_account_and_refuses_a_post(web, school, db_session):
    web.post("/book/school/hold" + ORG, {"slot_id": school["school_slot"].id})
    account = text_of(web.get("/book/checkout" + ORG))
    assert "I have an account" in account and "I'm new here" not in account
    assert "Accounts for Lincoln High are set up by the studio" in account
    assert "Create an account" not in text_of(web.get("/login" + ORG))
    assert "Create an account" in text_of(web.get("/login"))  # the public widget still offers it
    response = web.post(
        "/register" + ORG,
        {"name": "New", "email": "new@example.com", "password": "long enough", "phone": "1"},
    )
    assert response.status_code == 403
    assert (
        "Accounts for Lincoln High are set up by the studio; log in with the details they "
        "sent you." in text_of(response)
    )
    assert db_session.scalar(select(Client.id).where(Client.email == "new@example.com")) is None


def test_an_open_link_registers_a_new_member(web, school, db_session):
    db_session.get(Organization, school["lincoln"].id).allow_new_accounts = True
    db_session.commit()
    web.post("/book/school/hold" + ORG, {"slot_id": school["school_slot"].id})
    assert "I'm new here" in text_of(web.get("/book/checkout" + ORG))
    response = web.post(
        "/register" + ORG,
        {
            "name": "New Student",
            "email": "new@example.com",
            "phone": "+1 555 0100",
            "password": "long enough",
            "next": "/book/checkout" + ORG,
        },
    )
    assert response.status_code == 303 and _org_of(response.location) == ["lincoln-high"]
    created = db_session.scalar(select(Client).where(Client.email == "new@example.com"))
    assert created.organization_id == school["lincoln"].id
    assert web.post("/book/confirm" + ORG).status_code == 303


def test_the_studios_closed_registration_applies_to_an_open_link_too(web, school, make, db_session):
    db_session.get(Organization, school["lincoln"].id).allow_new_accounts = True
    make._save(OnlinePreferences(disable_new_accounts=True))
    assert "Create an account" not in text_of(web.get("/login" + ORG))
    assert web.get("/register" + ORG).status_code == 403


def test_the_organizations_pages_cost_the_same_queries_however_many_slots(
    web, school, make, app_engine
):
    def count() -> int:
        with count_queries(app_engine) as statements:
            web.get("/book" + ORG)
            web.get("/book/school?day=2026-12-03&org=lincoln-high")
        return len(statements)

    count()  # the first request reads what later ones find cached
    before = count()
    resource = make.resource(make.session.get(Location, school["school_slot"].location_id))
    for hour in range(8, 14):
        make.slot(
            at(2026, 12, 3, hour),
            service_types=[school["portrait"]],
            resource=resource,
            organization_id=school["lincoln"].id,
        )
    assert count() == before
    assert len(slot_ids(web.get("/book/school?day=2026-12-03&org=lincoln-high"))) == 7


def test_rescheduling_a_school_booking_offers_the_schools_times(web, school, make):
    from core.models import BookedVia
    from core.services.booking import book

    other_school_time = make.slot(
        at(2026, 12, 4, 16),
        service_types=[school["portrait"]],
        resource=make.resource(make.session.get(Location, school["school_slot"].location_id)),
        organization_id=school["lincoln"].id,
    )
    booking = book(
        make.session,
        slot_id=school["school_slot"].id,
        service_type_id=school["portrait"].id,
        client_id=school["member"].id,
        now=at(2026, 11, 23, 15),
        via=BookedVia.STAFF,
    )
    log_in_client(web, school["member"])
    page = web.get(
        f"/account/bookings/{booking.public_id}/reschedule?day=2026-12-04&org=lincoln-high"
    )
    assert slot_ids(page) == [other_school_time.id]
    assert "Lincoln High" in text_of(page)
