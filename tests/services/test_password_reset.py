"""Password reset links: mailed only to a known client, valid for a while, usable once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Client, MailStatus, OutboxMessage
from core.services.accounts import authenticate_client
from core.services.errors import InvalidCredentials, InvalidDetails
from core.services.mail import MailContent
from core.services.password_reset import (
    MAX_MAILS_PER_HOUR,
    ResetLinkExpired,
    ResetLinkInvalid,
    ResetLinkUsed,
    client_for_token,
    make_token,
    request_reset,
    reset_password,
)
from tests.concurrency import race, racing_engine_for
from tests.conftest import NOW
from tests.factories import PASSWORD

SECRET = "test-secret"
HOUR = timedelta(minutes=60)


def compose(client: Client, token: str) -> MailContent:
    return MailContent(subject="Reset", text=f"https://studio.test/reset/{token}")


def ask(session: Session, email: str, now: Any = NOW) -> bool:
    return request_reset(session, email=email, secret_key=SECRET, now=now, compose=compose)


def mailed_token(session: Session) -> str:
    text = session.scalars(select(OutboxMessage.text_body).order_by(OutboxMessage.id)).all()[-1]
    return text.rsplit("/", 1)[1]


def reset(session: Session, token: str, password: str, now: Any = NOW) -> Client:
    return reset_password(session, token, password, secret_key=SECRET, max_age=HOUR, now=now)


def test_a_known_email_gets_one_pending_mail_with_a_link(session: Session, make: Any) -> None:
    client = make.client(email="ada@example.com")

    assert ask(session, "  ADA@example.com ")

    [row] = session.scalars(select(OutboxMessage)).all()
    assert (row.to_address, row.client_id, row.kind, row.status) == (
        "ada@example.com",
        client.id,
        "password_reset",
        MailStatus.PENDING,
    )
    assert (
        client_for_token(session, mailed_token(session), secret_key=SECRET, max_age=HOUR, now=NOW)
        == client
    )


def test_an_unknown_email_gets_nothing(session: Session, make: Any) -> None:
    make.client(email="ada@example.com")

    assert not ask(session, "bob@example.com")

    assert session.scalar(select(OutboxMessage.id)) is None


def test_the_link_sets_a_new_password_once(session: Session, make: Any) -> None:
    client = make.client(email="ada@example.com")
    ask(session, "ada@example.com")
    token = mailed_token(session)

    reset(session, token, "a brand new password")

    assert authenticate_client(session, email="ada@example.com", password="a brand new password")
    with pytest.raises(InvalidCredentials):
        authenticate_client(session, email="ada@example.com", password=PASSWORD)
    with pytest.raises(ResetLinkUsed):
        reset(session, token, "another password")
    assert authenticate_client(session, email=client.email, password="a brand new password")


def test_changing_the_password_retires_every_older_link(session: Session, make: Any) -> None:
    client = make.client()
    first = make_token(client, secret_key=SECRET, now=NOW)
    second = make_token(client, secret_key=SECRET, now=NOW + timedelta(minutes=5))

    reset(session, second, "a brand new password", now=NOW + timedelta(minutes=6))

    with pytest.raises(ResetLinkUsed):
        client_for_token(session, first, secret_key=SECRET, max_age=HOUR, now=NOW)


def test_the_link_expires_after_its_minutes(session: Session, make: Any) -> None:
    client = make.client()
    token = make_token(client, secret_key=SECRET, now=NOW)

    assert (
        client_for_token(session, token, secret_key=SECRET, max_age=HOUR, now=NOW + HOUR) == client
    )
    with pytest.raises(ResetLinkExpired):
        reset(session, token, "a brand new password", now=NOW + HOUR + timedelta(seconds=1))


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t.split(".")[0],  # cut short
        lambda t: "not-a-token",
    ],
)
def test_a_tampered_link_is_refused(session: Session, make: Any, spoil: Any) -> None:
    client = make.client()
    token = make_token(client, secret_key=SECRET, now=NOW)

    with pytest.raises(ResetLinkInvalid) as refused:
        reset(session, spoil(token), "a brand new password")
    assert type(refused.value) is ResetLinkInvalid


def test_a_link_signed_with_another_key_is_refused(session: Session, make: Any) -> None:
    token = make_token(make.client(), secret_key="some other key", now=NOW)

    with pytest.raises(ResetLinkInvalid):
        reset(session, token, "a brand new password")


def test_a_short_password_is_refused_and_the_link_still_works(session: Session, make: Any) -> None:
    token = make_token(make.client(), secret_key=SECRET, now=NOW)

    with pytest.raises(InvalidDetails) as refused:
        reset(session, token, "short")

    assert refused.value.errors == {"new_password": "Use at least 8 characters."}
    reset(session, token, "long enough now")


def test_a_client_without_a_password_can_set_one(session: Session, make: Any) -> None:
    client = make.client(email="nopass@example.com", password_hash=None)
    ask(session, "nopass@example.com")

    reset(session, mailed_token(session), "my first password")

    assert authenticate_client(session, email=client.email, password="my first password")


def test_reset_mails_to_one_client_are_capped_per_hour(session: Session, make: Any) -> None:
    make.client(email="ada@example.com")

    sent = [ask(session, "ada@example.com") for _ in range(MAX_MAILS_PER_HOUR + 1)]
    later = ask(session, "ada@example.com", now=NOW + HOUR + timedelta(seconds=1))

    assert sent == [True] * MAX_MAILS_PER_HOUR + [False]
    assert later


@pytest.mark.postgres
def test_one_link_used_twice_at_once_sets_one_password(
    session: Session, make: Any, database_url: str
) -> None:
    token = make_token(make.client(), secret_key=SECRET, now=NOW)
    engine = racing_engine_for(database_url, 2)

    outcomes = race(engine, lambda s, n: reset(s, token, f"new password {n}"), threads=2)
    engine.dispose()

    assert outcomes == Counter(won=1, ResetLinkUsed=1)
