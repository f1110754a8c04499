"""A client reaches only their own things: the widget's routes, read from the app's url_map, tried
by client A with client B's objects.

Every widget rule whose URL names an object (a booking's public id, a hold link's token, an
organization's session type) is requested by A, logged in, with each method it accepts and a
valid CSRF token (so what refuses it is the ownership check, not CSRF). The answer is a 404, the
same as for an id that never existed, B's details are nowhere in the page, and no row of any
table changes. A logged-out visitor gets the login page or the same 404. Forms that name an
object in their fields (leaving a waiting list, a payment attempt) are tried the same way.

A new widget rule with an argument that OWNED does not build, and PUBLIC does not explain, fails
the test: add a factory for it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from core.db import Base
from core.models import Organization, WaitlistEntry
from core.services import waitlist_links
from core.services.booking import book
from tests.conftest import NOW, WebClient
from tests.services.test_billing import make_invoice, make_payment
from tests.web.helpers import at, log_in_client, text_of

SECRET_KEY = "test-secret"  # tests/conftest.py's app
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _widget_rules() -> list[Rule]:
    # An app only to read its routes (no database is touched), so each route is its own case.
    from wsgi import create_app

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "routes"}
    )
    admin = app.config["ADMIN_URL_PREFIX"] + "/"
    rules = [
        r
        for r in app.url_map.iter_rules()
        if not r.rule.startswith(admin) and not r.endpoint.endswith(".static")
    ]
    return sorted(rules, key=lambda r: r.rule)


RULES = _widget_rules()


class World:
    """Client A (who asks) and client B (whose things A asks for), with everything B owns."""

    def __init__(self, make: Any, session: Session) -> None:
        self.a = make.client(name="Alex Asker", email="alex@example.com")
        self.b = make.client(name="Bianca Owner", email="bianca.owner@example.com")
        family = make.service_type(slug="fam", online_name="Family portrait")
        slot = make.slot(at(2026, 12, 3, 15), service_types=[family])
        self.open_slot = make.slot(
            at(2026, 12, 4, 15), service_types=[family], resource=slot.resource
        )
        self.booking = book(
            session,
            slot_id=slot.id,
            service_type_id=family.id,
            client_id=self.b.id,
            now=NOW,
            notes="Bianca's private note about the twins",
        )
        invoice = make_invoice(session, self.b)
        invoice.booking_id = self.booking.id
        self.payment = make_payment(session, invoice, 5000)
        self.payment.booking_id = self.booking.id
        # B waits for Dec 5; the mailed link would hold the time that opened for B.
        self.entry = WaitlistEntry(
            client_id=self.b.id,
            service_type_id=family.id,
            location_id=slot.location_id,
            day=date(2026, 12, 5),
            created_at=NOW,
        )
        session.add(self.entry)
        opened = make.slot(at(2026, 12, 5, 15), service_types=[family], resource=slot.resource)
        # B's school: its own session type, not offered online, on the school's own slot.
        school_type = make.service_type(slug="school-picture", online=False)
        school = make._save(
            Organization(name="Bianca's School", slug="biancas-school", service_types=[school_type])
        )
        self.b.organization_id = school.id
        self.school_slot = make.slot(
            at(2026, 12, 6, 15),
            service_types=[school_type],
            resource=slot.resource,
            organization_id=school.id,
        )
        session.commit()
        self.school_type_slug = school_type.slug
        self.hold_token = waitlist_links.make_token(
            self.entry, opened.id, secret_key=SECRET_KEY, now=NOW
        )
        # What B's pages show and A must never see (the booking's reference is in A's own
        # request, so a back link may repeat it).
        self.secrets = [
            self.b.name,
            self.b.email,
            "Bianca's private note",
            "Family portrait",
            self.payment.public_id,
        ]


@dataclass(frozen=True)
class Ask:
    """A request for B's object: the URL's arguments, and the query (GET) or form (POST)."""

    values: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)


def _b_booking(world: World, **data: Any) -> Ask:
    return Ask({"public_id": world.booking.public_id}, data)


# Endpoint -> B's object in its URL. The query or form carries what the route needs to get as
# far as its ownership check (a new time to move to, a day to wait for).
OWNED: dict[str, Callable[[World], Ask]] = {
    "widget.cancel_booking": _b_booking,
    "widget.reschedule_booking": _b_booking,
    "widget.confirm_reschedule": lambda w: _b_booking(w, slot_id=w.open_slot.id),
    "widget.do_reschedule": lambda w: _b_booking(w, slot_id=w.open_slot.id),
    "widget.confirmed": _b_booking,
    "widget.booking_calendar": _b_booking,
    # B's organization's own type is not offered to anyone outside its link.
    "widget.book_type": lambda w: Ask({"slug": w.school_type_slug}),
    "widget.hold": lambda w: Ask({"slug": w.school_type_slug}, {"slot_id": w.school_slot.id}),
    "widget.join_waitlist": lambda w: Ask(
        {"slug": w.school_type_slug},
        {"location": w.school_slot.location_id, "day": "2026-12-06"},
    ),
    "widget.waitlist_hold": lambda w: Ask({"token": w.hold_token}),
}

# The one refusal that is not a 404: the hold link is signed and mailed to B, so whoever opens it
# holds it already and learns nothing from being told it is someone else's; the 403 says which
# account to log in with (a shared family computer). It holds nothing for A.
NOT_A_404 = {"widget.waitlist_hold": 403}

# Rules whose argument names no client's object, and why.
PUBLIC: dict[str, str] = {
    "widget.stored_file": "the studio's logo and marketing images, shown on public pages and in "
    "mails; a new upload gets a new random id",
    "widget.organization_link": "an organization's deep link, handed to its members; holding "
    "and booking through it check membership (test_widget_organizations.py)",
    "widget.organization_type_link": "the same deep link to one of its types",
    "widget.password_reset": "a signed, expiring, single-use token mailed to the account's own "
    "address: whoever holds it may set that password, logged in or not "
    "(test_widget_password_reset.py)",
}


def _missing(rule: Rule) -> bool:
    return bool(rule.arguments) and rule.endpoint not in OWNED and rule.endpoint not in PUBLIC


def _cases() -> list[Any]:
    return [
        pytest.param(rule, method, id=f"{method} {rule.rule}")
        for rule in RULES
        if rule.endpoint in OWNED
        for method in sorted(METHODS & (rule.methods or set()))
    ]


def _snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, to compare before and after a refused request."""
    with engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(table.select()))
            for table in Base.metadata.sorted_tables
        }


def _request(web: WebClient, rule: Rule, method: str, ask: Ask) -> Any:
    built = rule.build(ask.values, append_unknown=False)
    assert built is not None, rule.rule
    url = built[1]
    if method == "GET":
        return web.get(url, query_string=ask.data)
    return web.post(url, ask.data)


def _shows_nothing_of_b(response: Any, world: World) -> None:
    page = response.get_data(as_text=True)
    leaked = [s for s in world.secrets if s in page]
    assert not leaked, f"B's details in the answer: {leaked}"


@pytest.fixture
def world(make: Any, db_session: Session) -> World:
    return World(make, db_session)


def test_the_walk_finds_the_client_facing_routes() -> None:
    endpoints = {r.endpoint for r in RULES}
    assert {"widget.cancel_booking", "widget.confirmed", "widget.booking_calendar"} <= endpoints
    assert not any(r.rule.startswith("/admin") for r in RULES)


def test_every_widget_route_with_an_argument_has_a_factory() -> None:
    missing = sorted(r.rule for r in RULES if _missing(r))

    assert not missing, (
        f"New widget routes with URL arguments the access walk cannot fill: {missing}. Add a "
        "factory for another client's object to OWNED in tests/web/test_access_walk.py (or say "
        "in PUBLIC why the argument is nobody's own)."
    )


@pytest.mark.parametrize(("rule", "method"), _cases())
def test_client_a_cannot_reach_client_bs_object(
    web: WebClient, world: World, clean_db: Engine, rule: Rule, method: str
) -> None:
    assert log_in_client(web, world.a).status_code == 303
    before = _snapshot(clean_db)

    response = _request(web, rule, method, OWNED[rule.endpoint](world))

    assert response.status_code == NOT_A_404.get(rule.endpoint, 404), text_of(response)[:300]
    _shows_nothing_of_b(response, world)
    assert _snapshot(clean_db) == before


@pytest.mark.parametrize(("rule", "method"), _cases())
def test_the_refusal_is_the_same_as_for_an_object_that_never_existed(
    web: WebClient, world: World, rule: Rule, method: str
) -> None:
    # No hint that B's object exists: a made-up reference gets the very same status.
    log_in_client(web, world.a)
    ask = OWNED[rule.endpoint](world)
    made_up = Ask({name: secrets.token_urlsafe(16) for name in ask.values}, ask.data)

    response = _request(web, rule, method, made_up)

    expected = 400 if rule.endpoint == "widget.waitlist_hold" else 404  # an unsigned token
    assert response.status_code == expected, text_of(response)[:300]


@pytest.mark.parametrize(("rule", "method"), _cases())
def test_a_logged_out_visitor_is_sent_to_log_in_or_finds_nothing(
    web: WebClient, world: World, clean_db: Engine, rule: Rule, method: str
) -> None:
    before = _snapshot(clean_db)

    response = _request(web, rule, method, OWNED[rule.endpoint](world))

    if response.status_code == 303:
        assert response.location.startswith("/login?next="), response.location
    else:
        assert response.status_code == 404, text_of(response)[:300]
        _shows_nothing_of_b(response, world)
    assert world.b.name not in response.get_data(as_text=True)
    assert _snapshot(clean_db) == before


def test_client_a_cannot_take_client_b_off_the_waiting_list(
    web: WebClient, world: World, clean_db: Engine
) -> None:
    log_in_client(web, world.a)
    before = _snapshot(clean_db)

    response = web.post(
        "/account/waitlist/leave",
        {
            "service_type": world.entry.service_type_id,
            "location": world.entry.location_id,
            "day": world.entry.day.isoformat(),
        },
        follow_redirects=True,
    )

    assert "You left the waiting list" not in text_of(response)
    _shows_nothing_of_b(response, world)
    assert _snapshot(clean_db) == before


def test_client_bs_payment_attempt_does_not_show_a_its_booking(
    web: WebClient, world: World, clean_db: Engine
) -> None:
    # The pay form's attempt key finds a booking already paid: only the client's own.
    log_in_client(web, world.a)
    before = _snapshot(clean_db)

    response = web.post("/book/pay", {"attempt": world.payment.idempotency_key})

    assert world.booking.public_id not in (response.location or "")
    _shows_nothing_of_b(response, world)
    assert _snapshot(clean_db) == before


def test_b_reaches_their_own_objects(web: WebClient, world: World) -> None:
    # The refusals above are ownership's doing: B, with the same requests, gets through.
    log_in_client(web, world.b)

    assert web.get(f"/book/confirmed/{world.booking.public_id}").status_code == 200
    assert web.get(f"/bookings/{world.booking.public_id}/calendar.ics").status_code == 200
    reschedule = f"/account/bookings/{world.booking.public_id}/reschedule"
    assert web.get(reschedule).status_code == 200
    assert web.get(f"{reschedule}/confirm?slot_id={world.open_slot.id}").status_code == 200
    assert web.get(f"/waitlist/hold/{world.hold_token}").status_code == 303
    cancelled = web.post(f"/account/bookings/{world.booking.public_id}/cancel")
    assert cancelled.status_code == 303


def test_an_other_clients_booking_is_not_listed_in_my_bookings(
    web: WebClient, world: World
) -> None:
    log_in_client(web, world.a)

    response = web.get("/account/bookings")

    assert response.status_code == 200
    _shows_nothing_of_b(response, world)


def test_the_hold_link_holds_nothing_for_another_client(
    web: WebClient, world: World, db_session: Session
) -> None:
    log_in_client(web, world.a)

    response = web.get(f"/waitlist/hold/{world.hold_token}")

    assert "This link was sent to another client" in text_of(response)
    # Nothing is held for A: the review step sends A back to choose a time.
    assert web.get("/book/checkout", follow_redirects=True).request.path == "/book"
