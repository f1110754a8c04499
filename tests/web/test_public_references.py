"""The references a client sees in URLs and mails are unguessable: random tokens of at least 122
bits (a UUID4's), in no order, never a row's sequential id. Admin URLs keep integer ids: only
staff reach them, and every route checks the staff member's level (test_permissions.py)."""

from __future__ import annotations

import base64
import re
from itertools import pairwise
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule
from werkzeug.routing.converters import IntegerConverter

from core.db import Base
from core.models import Booking, OutboxMessage
from core.models._types import new_public_id
from core.services.booking import book
from tests.conftest import NOW, WebClient
from tests.web.helpers import at, log_in_client

MIN_BITS = 122
URL = re.compile(r"https?://studio\.test(/[^\s\"'<>]*)")


def _client_facing_rules(app: Flask) -> list[Rule]:
    admin = app.config["ADMIN_URL_PREFIX"] + "/"
    return [r for r in app.url_map.iter_rules() if not r.rule.startswith(admin)]


def _bits(reference: str) -> int:
    return len(base64.urlsafe_b64decode(reference + "=" * (-len(reference) % 4))) * 8


def _shared_start(first: str, second: str) -> int:
    n = 0
    while n < min(len(first), len(second)) and first[n] == second[n]:
        n += 1
    return n


def test_a_public_id_carries_at_least_122_random_bits() -> None:
    references = {new_public_id() for _ in range(2000)}

    assert len(references) == 2000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", r) for r in references)
    assert min(_bits(r) for r in references) >= MIN_BITS


def test_every_public_id_column_is_filled_with_a_random_token() -> None:
    columns = [
        (table.name, table.c.public_id)
        for table in Base.metadata.sorted_tables
        if "public_id" in table.c
    ]

    assert {"booking", "invoice", "payment", "deposit", "stored_file"} <= {t for t, _ in columns}
    for name, column in columns:
        assert column.unique, name
        assert column.default is not None, name
        assert getattr(column.default.arg, "__wrapped__", None) is new_public_id, name


def test_consecutive_bookings_references_share_no_order(make: Any, db_session: Session) -> None:
    service_type = make.service_type()
    resource = make.resource()
    client = make.client()
    references = [
        book(
            db_session,
            slot_id=make.slot(
                at(2026, 12, 1 + n, 15), service_types=[service_type], resource=resource
            ).id,
            service_type_id=service_type.id,
            client_id=client.id,
            now=NOW,
        ).public_id
        for n in range(20)
    ]

    assert references != sorted(references)
    assert references != sorted(references, reverse=True)
    for first, second in pairwise(references):
        # A counter would share most of its characters with the next one.
        assert _shared_start(first, second) < 4, (first, second)


def test_no_client_facing_url_takes_an_integer_id(app: Flask) -> None:
    numbered = [
        rule.rule
        for rule in _client_facing_rules(app)
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]

    assert not numbered


def test_client_facing_urls_name_things_by_public_id_slug_or_signed_token(app: Flask) -> None:
    arguments = {name for rule in _client_facing_rules(app) for name in rule.arguments}

    # public_id: random (above); token: signed by the app; slug: the studio's own public names;
    # filename: the widget's static files.
    assert arguments <= {"public_id", "token", "slug", "type_slug", "filename"}, arguments


def test_the_mailed_links_carry_no_sequential_id(
    web: WebClient, app: Flask, make: Any, db_session: Session
) -> None:
    service_type = make.service_type(slug="fam")
    slot = make.slot(at(2026, 12, 3, 15), service_types=[service_type])
    client = make.client()
    log_in_client(web, client)
    web.post("/book/fam/hold", {"slot_id": slot.id})
    assert web.post("/book/confirm").status_code == 303
    booking = db_session.scalar(select(Booking))
    assert booking is not None
    web.post(f"/account/bookings/{booking.public_id}/cancel")
    web.post("/account/forgot-password", {"email": client.email})

    messages = db_session.scalars(select(OutboxMessage)).all()
    bodies = [m.text_body + (m.html_body or "") for m in messages]
    paths = {path for body in bodies for path in URL.findall(body)}

    assert {m.kind for m in messages} >= {
        "booking_confirmation",
        "booking_cancelled",
        "password_reset",
    }
    assert paths, "the mails link back to the site"
    adapter = app.url_map.bind("studio.test")
    for path in paths:
        rule, values = adapter.match(path.split("?")[0], return_rule=True)
        assert not rule.rule.startswith("/admin"), path
        assert not any(re.fullmatch(r"\d+", segment) for segment in path.split("/")), path
        assert not any(isinstance(v, int) for v in values.values()), path
    assert any(path.startswith("/account/reset-password/") for path in paths)
