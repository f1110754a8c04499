"""Every state-changing route refuses a request without the CSRF token, read from the app's url_map.

Each rule accepting POST, PUT, PATCH or DELETE, in the widget and the admin, is posted to by a
logged-in person of the right kind (a client in the widget, an administrator in the admin), with
its URL filled with real rows, the way a forged form on another site would: no token. The answer
is a 400 saying the form was not sent from this site, and no row of any table changes. A new
route whose URL arguments ARGUMENTS cannot fill fails the test: add a factory for it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import Engine
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter

from core.db import Base
from core.models import (
    BookingQuestion,
    ListChoice,
    ListKind,
    LocationClosure,
    NoticeKind,
    Organization,
    OutboxMessage,
    PaymentRefund,
    PaymentStatus,
    PriceCategory,
    PriceListItem,
    Promotion,
    Redemption,
    ServiceKind,
    ServiceTypeItem,
    StaffNotice,
)
from core.services.booking import book
from core.services.password_reset import make_token
from tests.conftest import NOW, WebClient
from tests.factories import PASSWORD
from tests.services.test_billing import make_invoice, make_payment
from tests.web.helpers import text_of

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
REFUSED = "This form had expired or was not sent from this site."
SECRET_KEY = "test-secret"  # tests/conftest.py's app
# The real login, with a hash that is quick to check: a hundred logins in this module.
_QUICK_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def _changing_rules() -> list[Rule]:
    # An app only to read its routes (no database is touched), so each route is its own case.
    from wsgi import create_app

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "routes"}
    )
    rules = [r for r in app.url_map.iter_rules() if CHANGING & (r.methods or set())]
    return sorted(rules, key=lambda r: r.rule)


RULES = _changing_rules()


class Rows:
    """One of everything a route's URL can name, made through the plain test Session."""

    def __init__(self, make: Any, session: Any) -> None:
        self.staff = make.staff(password_hash=_QUICK_HASH)
        self.client = make.client(password_hash=_QUICK_HASH)
        service_type = make.service_type(slug="fam")
        slot = make.slot(NOW.replace(month=12, day=3), service_types=[service_type])
        booking = book(
            session,
            slot_id=slot.id,
            service_type_id=service_type.id,
            client_id=self.client.id,
            now=NOW,
        )
        invoice = make_invoice(session, self.client)
        payment = make_payment(session, invoice, 5000)
        item = make._save(
            PriceListItem(
                code="SF", name="Session fee", category=PriceCategory.SESSION_FEE, price=15000
            )
        )
        promotion = make._save(Promotion(name="Ten off", external_id="TEN", created_at=NOW))
        organization = make._save(Organization(name="Northside School", slug="northside"))
        self.client.organization_id = organization.id
        rows = [
            ServiceTypeItem(service_type_id=service_type.id, item=item, quantity=1, position=0),
            PaymentRefund(
                payment_id=payment.id,
                idempotency_key=secrets.token_hex(8),
                amount=1000,
                status=PaymentStatus.PENDING,
                created_at=NOW,
            ),
            Redemption(
                promotion_id=promotion.id,
                booking_id=booking.id,
                client_id=self.client.id,
                discount=1000,
                created_at=NOW,
            ),
            LocationClosure(location_id=slot.location_id, day=date(2026, 12, 25)),
            OutboxMessage(
                message_id=f"<{secrets.token_hex(8)}@studio.test>",
                kind="password_reset",
                to_address=self.client.email,
                subject="Choose a new password",
                text_body="...",
                created_at=NOW,
                next_attempt_at=NOW,
            ),
            StaffNotice(
                staff_id=self.staff.id, kind=next(iter(NoticeKind)), title="New", created_at=NOW
            ),
            ListChoice(kind=ListKind.SESSION_STATUS, name="Booked online"),
            BookingQuestion(kind=ServiceKind.SESSION, label="Pets?", position=0),
        ]
        session.add_all(rows)
        session.commit()
        type_item, refund, redemption, closure, message, notice, choice, question = rows
        self.ids: dict[str, Any] = {
            "public_id": booking.public_id,
            "client_id": self.client.id,
            "invoice_id": invoice.id,
            "payment_id": payment.id,
            "refund_id": refund.id,
            "redemption_id": redemption.id,
            "location_id": slot.location_id,
            "closure_id": closure.id,
            "message_id": message.id,
            "notice_id": notice.id,
            "organization_id": organization.id,
            "item_id": item.id,
            "promotion_id": promotion.id,
            "service_type_id": service_type.id,
            "choice_id": choice.id,
            "slot_id": slot.id,
            "staff_id": self.staff.id,
            "question_id": question.id,
            "slug": service_type.slug,
            "token": make_token(self.client, secret_key=SECRET_KEY, now=NOW),
        }
        assert type_item.item_id == item.id  # the type's line is named by its price list item


# URL argument -> how to fill it from the rows; (endpoint, argument) where a name means
# something else on that route. AnyConverter arguments take their first choice.
ARGUMENTS: dict[str, Callable[[Rows], Any]] = {
    name: (lambda rows, name=name: rows.ids[name])
    for name in (
        "public_id",
        "client_id",
        "invoice_id",
        "payment_id",
        "refund_id",
        "redemption_id",
        "location_id",
        "closure_id",
        "message_id",
        "notice_id",
        "organization_id",
        "item_id",
        "promotion_id",
        "service_type_id",
        "choice_id",
        "slot_id",
        "staff_id",
        "question_id",
        "slug",
        "token",
    )
}
OVERRIDES: dict[tuple[str, str], Callable[[Rows], Any]] = {
    ("admin.add_list_entry", "slug"): lambda rows: "session-statuses",
}


def _missing(rule: Rule) -> list[str]:
    return [
        name
        for name in rule.arguments
        if not isinstance(rule._converters[name], AnyConverter)
        and name not in ARGUMENTS
        and (rule.endpoint, name) not in OVERRIDES
    ]


def _url(rule: Rule, rows: Rows) -> str:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = OVERRIDES.get((rule.endpoint, name), ARGUMENTS[name])(rows)
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


def _snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, to compare before and after a refused request."""
    with engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(table.select()))
            for table in Base.metadata.sorted_tables
        }


def test_the_walk_finds_the_widget_and_admin_forms() -> None:
    endpoints = {r.endpoint for r in RULES}
    assert {"widget.login", "widget.confirm", "admin.login", "admin.delete_slot"} <= endpoints
    assert len(RULES) > 90


def test_every_changing_route_can_be_built() -> None:
    missing = {rule.rule: _missing(rule) for rule in RULES if _missing(rule)}

    assert not missing, (
        f"New routes with URL arguments the CSRF walk cannot fill: {missing}. Add a factory to "
        "ARGUMENTS (or OVERRIDES) in tests/web/test_csrf_walk.py, and the row to Rows."
    )


@pytest.fixture
def rows(make: Any, db_session: Any) -> Rows:
    return Rows(make, db_session)


@pytest.mark.parametrize(
    "rule",
    [pytest.param(r, id=f"{sorted(CHANGING & (r.methods or set()))} {r.rule}") for r in RULES],
)
def test_a_request_without_the_token_is_refused_and_changes_nothing(
    app: Flask, web: WebClient, clean_db: Engine, rows: Rows, rule: Rule
) -> None:
    assert app.config.get("WTF_CSRF_ENABLED", True), "the tests must run with CSRF checks on"
    admin = rule.rule.startswith(app.config["ADMIN_URL_PREFIX"] + "/")
    login = "/admin/login" if admin else "/login"
    person = rows.staff if admin else rows.client
    logged_in = web.post(login, {"email": person.email, "password": PASSWORD})
    assert logged_in.status_code == 303, "the walk must reach CSRF checking, not a login page"
    url = _url(rule, rows)
    before = _snapshot(clean_db)

    for method in sorted(CHANGING & (rule.methods or set())):
        for headers in ({}, {"HX-Request": "true"}):
            response = web.raw.open(
                url, method=method, data={"email": person.email}, headers=headers
            )

            assert response.status_code == 400, (method, url, response.status_code)
            assert REFUSED in text_of(response)
    assert _snapshot(clean_db) == before


def test_the_same_post_with_the_token_gets_past_the_check(web: WebClient, rows: Rows) -> None:
    # The refusals above are the token's doing: with it, a form is handled as usual.
    web.post("/login", {"email": rows.client.email, "password": PASSWORD})
    web.get("/account/profile")

    response = web.post("/account/profile", {"name": "Renamed Client", "phone": "+1 555 0100"})

    assert response.status_code == 303


def test_a_token_from_another_session_is_refused(app: Flask, web: WebClient, rows: Rows) -> None:
    other = WebClient(app)
    other.get("/login")
    web.post("/login", {"email": rows.client.email, "password": PASSWORD})

    response = web.raw.post(
        "/account/profile", data={"name": "X", "csrf_token": other.tokens["widget"]}
    )

    assert response.status_code == 400
    assert REFUSED in text_of(response)
