"""Embedding: the sites allowed to frame the widget (CSP), whom the widget tells its height, and
where new clients and their bookings came from (the embed's source and the page's UTM values)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Booking, Client, ListChoice, ListKind, OnlinePreferences
from tests.conftest import WebClient
from tests.web.helpers import at, count_queries, text_of

SITES_URL = "/admin/preferences/general/sites"
PARENT_META = re.compile(r'<meta name="studiobook-parent" content="([^"]*)">')


def save_sites(staff_web: WebClient, typed: str, **kwargs: Any) -> Any:
    staff_web.get("/admin/preferences/general")  # the form's token, as a browser would have it
    return staff_web.post(SITES_URL, {"frame_ancestors": typed}, **kwargs)


def frame_ancestors(response: Any) -> str:
    csp = response.headers["Content-Security-Policy"]
    return next(p for p in csp.split("; ") if p.startswith("frame-ancestors ")).split(" ", 1)[1]


def saved_sites(session: Session) -> str | None:
    session.expire_all()
    return session.scalar(select(OnlinePreferences.frame_ancestors))


def parent_of(response: Any) -> str | None:
    found = PARENT_META.search(response.get_data(as_text=True))
    return found.group(1) if found else None


@pytest.fixture
def offer(make: Any) -> Any:
    service_type = make.service_type(slug="fam", online_name="Family Portrait")
    location = make.location(display_name="Northlight Brooklyn")
    return make.slot(
        at(2026, 12, 3, 15), service_types=[service_type], resource=make.resource(location)
    )


# The allowed sites and the CSP


def test_with_no_sites_listed_the_widget_may_be_framed_as_the_server_says(web: WebClient) -> None:
    page = web.get("/book")
    assert frame_ancestors(page) == "*"
    assert "X-Frame-Options" not in page.headers


def test_listed_sites_are_the_only_ones_allowed_to_frame_the_widget(
    staff_web: WebClient, web: WebClient, db_session: Session
) -> None:
    response = save_sites(staff_web, "HTTPS://www.Studio.example/\n\nhttp://localhost:8000\n")
    assert response.status_code == 303
    assert saved_sites(db_session) == "https://www.studio.example http://localhost:8000"
    expected = "'self' https://www.studio.example http://localhost:8000"
    assert frame_ancestors(web.get("/book")) == expected
    assert frame_ancestors(web.get("/login")) == expected
    admin = staff_web.get("/admin/preferences/general")
    assert frame_ancestors(admin) == "'none'" and admin.headers["X-Frame-Options"] == "DENY"
    assert "https://www.studio.example\nhttp://localhost:8000</textarea>" in admin.get_data(
        as_text=True
    )


def test_clearing_the_sites_goes_back_to_the_server_default(
    staff_web: WebClient, web: WebClient, db_session: Session
) -> None:
    save_sites(staff_web, "https://www.studio.example")
    response = save_sites(staff_web, "  \n", follow_redirects=True)
    assert "any site can show the widget" in text_of(response)
    assert saved_sites(db_session) is None
    assert frame_ancestors(web.get("/book")) == "*"


def test_each_bad_line_is_named_and_nothing_is_saved(
    staff_web: WebClient, db_session: Session
) -> None:
    save_sites(staff_web, "https://old.example")
    typed = "https://ok.example\nwww.studio.example\nhttps://studio.example/book\nhttps://*.x.com"
    response = save_sites(staff_web, typed)
    assert response.status_code == 400
    page = text_of(response)
    assert "Line 2 (“www.studio.example”): Start with https://" in page
    assert "Line 3 (“https://studio.example/book”): Enter only the site, without a page" in page
    assert "Line 4 (“https://*.x.com”): List each site on its own line" in page
    assert "Line 1" not in page
    assert typed in response.get_data(as_text=True)  # what staff typed comes back to fix
    assert saved_sites(db_session) == "https://old.example"


@pytest.mark.parametrize(
    "typed",
    ["https://user:pw@studio.example", "https://studio.example:99999", "ftp://studio.example"],
)
def test_an_address_that_is_not_an_origin_is_refused(
    staff_web: WebClient, db_session: Session, typed: str
) -> None:
    response = save_sites(staff_web, typed)
    assert response.status_code == 400 and "Line 1" in text_of(response)
    assert saved_sites(db_session) is None


def test_the_csp_costs_a_widget_page_no_query(web: WebClient, app_engine: Any) -> None:
    web.get("/book")
    with count_queries(app_engine) as statements:
        web.get("/book")
    assert sum("FROM online_preferences" in s for s in statements) == 1


# Whom the widget posts its height to


def test_the_widget_tells_its_height_to_the_page_that_embeds_it(web: WebClient) -> None:
    page = web.get("/book?embed_origin=http://localhost:5000")
    assert parent_of(page) == "http://localhost:5000"
    # widget.js (on every widget page) posts the height only to the parent this tag names.
    assert "/static/widget/widget.js" in page.get_data(as_text=True)
    assert parent_of(web.get("/login")) == "http://localhost:5000"  # kept for the visit


def test_without_an_embedding_page_the_widget_posts_nothing(web: WebClient) -> None:
    page = web.get("/book")
    assert parent_of(page) is None and "studiobook-parent" not in page.get_data(as_text=True)


@pytest.mark.parametrize("claimed", ["*", "null", "javascript:alert(1)", "http://x.example/path"])
def test_a_claimed_parent_that_is_not_an_origin_is_ignored(web: WebClient, claimed: str) -> None:
    assert parent_of(web.get("/book", query_string={"embed_origin": claimed})) is None


def test_with_sites_listed_only_those_are_told_the_height(
    staff_web: WebClient, web: WebClient
) -> None:
    save_sites(staff_web, "https://www.studio.example")
    assert parent_of(web.get("/book?embed_origin=https://evil.example")) is None
    assert parent_of(web.get("/book?embed_origin=https://WWW.studio.example")) == (
        "https://www.studio.example"
    )
    # Staff remove the site: the widget stops posting to it at once, in the same visit.
    save_sites(staff_web, "https://other.example")
    assert parent_of(web.get("/book")) is None


def test_a_configured_list_limits_the_parents_too(
    app: Any, web: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "WIDGET_FRAME_ANCESTORS", "'self' https://a.example")
    page = web.get("/book?embed_origin=https://b.example")
    assert frame_ancestors(page) == "'self' https://a.example" and parent_of(page) is None
    assert parent_of(web.get("/book?embed_origin=https://a.example")) == "https://a.example"


# Where clients came from


def register(web: WebClient, email: str = "ada@example.com", **extra: str) -> Any:
    return web.post(
        "/register",
        {
            "name": "Ada Client",
            "email": email,
            "phone": "+1 718 555 0100",
            "password": "long enough",
            "next": "/book/checkout",
            **extra,
        },
    )


def came_in_by(web: WebClient, query: str) -> None:
    assert web.get(f"/book/fam?{query}").status_code == 200


def test_a_new_client_and_their_booking_keep_the_source_and_utm_values(
    web: WebClient, staff_web: WebClient, offer: Any, db_session: Session
) -> None:
    came_in_by(
        web,
        "utm_source=newsletter&utm_campaign=spring&source=www.studio.example"
        "&utm_evil=x&gclid=abc&utm_term=" + "x" * 300,
    )
    web.post("/book/fam/hold", {"slot_id": offer.id})
    assert register(web).status_code == 303
    assert web.post("/book/confirm").status_code == 303
    expected = {
        "source": "www.studio.example",
        "utm_source": "newsletter",
        "utm_campaign": "spring",
    }
    client = db_session.scalar(select(Client).where(Client.email == "ada@example.com"))
    assert client.attribution == expected
    assert db_session.scalar(select(Booking.attribution)) == expected

    shown = "Came from: newsletter (utm_campaign=spring) on www.studio.example"
    client_page = text_of(staff_web.get(f"/admin/clients/{client.id}"))
    assert "Came from newsletter (utm_campaign=spring) on www.studio.example" in client_page
    assert shown in client_page  # the booking row
    assert shown in text_of(staff_web.get("/admin/bookings"))


def test_a_bare_source_does_not_replace_utm_values_from_earlier_in_the_visit(
    web: WebClient, offer: Any, db_session: Session
) -> None:
    came_in_by(web, "utm_source=newsletter&source=www.studio.example")
    came_in_by(web, "source=www.studio.example")  # another page of the studio's site
    web.post("/book/fam/hold", {"slot_id": offer.id})
    register(web)
    client = db_session.scalar(select(Client))
    assert client.attribution == {"source": "www.studio.example", "utm_source": "newsletter"}


def test_a_client_who_came_with_nothing_has_no_attribution(
    web: WebClient, offer: Any, db_session: Session
) -> None:
    came_in_by(web, "utm_source=" + "x" * 101)
    web.post("/book/fam/hold", {"slot_id": offer.id})
    register(web)
    web.post("/book/confirm")
    assert db_session.scalar(select(Client.attribution)) is None
    assert db_session.scalar(select(Booking.attribution)) is None


def test_a_utm_source_named_like_a_lead_source_becomes_the_clients_lead_source(
    web: WebClient, make: Any, offer: Any, db_session: Session
) -> None:
    newsletter = make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="Newsletter"))
    came_in_by(web, "utm_source=newsletter")
    web.post("/book/fam/hold", {"slot_id": offer.id})
    register(web)
    assert db_session.scalar(select(Client.lead_source_id)) == newsletter.id


def test_the_lead_source_a_client_picks_wins_over_the_link(
    web: WebClient, make: Any, offer: Any, db_session: Session
) -> None:
    make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="Newsletter", show_online=True))
    friend = make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="A friend", show_online=True))
    make._save(OnlinePreferences(ask_lead_source=True))
    came_in_by(web, "utm_source=newsletter")
    web.post("/book/fam/hold", {"slot_id": offer.id})
    assert register(web, lead_source=str(friend.id)).status_code == 303
    assert db_session.scalar(select(Client.lead_source_id)) == friend.id
