"""Client registration and the password checks for clients and staff."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Client
from core.services.accounts import (
    authenticate_client,
    authenticate_staff,
    create_staff,
    register_client,
)
from core.services.errors import EmailTaken, InvalidCredentials
from tests.conftest import NOW
from tests.factories import PASSWORD

SECRET = "a long enough secret"


def _register(session: Session, email: str = "Ada@Example.com", **kw: Any) -> Client:
    fields = {"name": " Ada Lovelace ", "phone": " +1 555 0100 ", "password": SECRET, **kw}
    return register_client(session, email=email, now=NOW, **fields)


def test_registering_stores_a_trimmed_lowercased_email(session: Session) -> None:
    client = _register(session, email="  Ada.Lovelace@Example.COM ")

    session.expire_all()
    saved = session.get_one(Client, client.id)
    assert (saved.email, saved.name, saved.phone) == (
        "ada.lovelace@example.com",
        "Ada Lovelace",
        "+1 555 0100",
    )
    assert saved.created_at == NOW


def test_registering_stores_an_argon2_hash_not_the_password(session: Session) -> None:
    client = _register(session)

    session.expire_all()
    password_hash = session.get_one(Client, client.id).password_hash
    assert password_hash is not None
    assert password_hash.startswith("$argon2")
    assert SECRET not in password_hash
    assert PasswordHasher().verify(password_hash, SECRET)


@pytest.mark.parametrize("again", ["ada@example.com", "ADA@EXAMPLE.COM", " Ada@Example.com "])
def test_an_email_can_register_only_once_whatever_its_case(session: Session, again: str) -> None:
    _register(session, email="Ada@Example.com")

    with pytest.raises(EmailTaken):
        _register(session, email=again, name="Someone else")
    assert session.scalar(select(func.count()).select_from(Client)) == 1


@pytest.mark.parametrize("email", ["ada@example.com", " ADA@example.com"])
def test_a_client_logs_in_with_their_email_in_any_case(session: Session, email: str) -> None:
    client = _register(session)

    assert authenticate_client(session, email=email, password=SECRET).id == client.id


def _login_failure(session: Session, email: str, password: str) -> str:
    with pytest.raises(InvalidCredentials) as failure:
        authenticate_client(session, email=email, password=password)
    return str(failure.value)


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    session: Session, core_make: Any
) -> None:
    _register(session)
    core_make.client(email="nologin@example.com", password_hash=None)

    answers = {
        _login_failure(session, "ada@example.com", "wrong password"),
        _login_failure(session, "ada@example.com", SECRET.upper()),
        _login_failure(session, "ada@example.com", ""),
        _login_failure(session, "nobody@example.com", SECRET),
        _login_failure(session, "nologin@example.com", ""),
        _login_failure(session, "nologin@example.com", "not a real password"),
    }

    assert answers == {InvalidCredentials.default_message}


def test_staff_log_in_with_their_password(session: Session) -> None:
    staff = create_staff(session, name="Dana", email="Dana@Studio.test", password=SECRET)

    assert authenticate_staff(session, email="dana@studio.test", password=SECRET).id == staff.id


@pytest.mark.parametrize(
    ("email", "password"),
    [("staff@studio.test", "wrong"), ("nobody@studio.test", PASSWORD)],
)
def test_staff_with_a_wrong_password_or_email_are_refused(
    session: Session, core_make: Any, email: str, password: str
) -> None:
    core_make.staff(email="staff@studio.test")

    with pytest.raises(InvalidCredentials):
        authenticate_staff(session, email=email, password=password)


def test_inactive_staff_cannot_log_in(session: Session, core_make: Any) -> None:
    core_make.staff(email="former@studio.test", active=False)

    with pytest.raises(InvalidCredentials) as failure:
        authenticate_staff(session, email="former@studio.test", password=PASSWORD)
    assert str(failure.value) == InvalidCredentials.default_message


def test_a_staff_email_can_have_only_one_login(session: Session) -> None:
    create_staff(session, name="Dana", email="dana@studio.test", password=SECRET)

    with pytest.raises(EmailTaken):
        create_staff(session, name="Dana again", email="DANA@studio.test", password=SECRET)
