""" "Set for all existing clients now": default logins for clients without one."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.models import LoginPattern
from core.services.accounts import authenticate_client
from core.services.logins import set_default_logins


def test_phone_pattern_gives_a_client_without_a_login_their_phone_digits(
    session: Session, make: Any
) -> None:
    client = make.client(email="ann@example.com", phone="(555) 010-2030", password_hash=None)

    result = set_default_logins(session, LoginPattern.EMAIL_AND_PHONE)

    assert result.given == 1
    assert authenticate_client(session, email="ann@example.com", password="5550102030") == client
    assert client.login_from_default is True


def test_a_password_a_client_set_is_never_replaced(session: Session, make: Any) -> None:
    client = make.client()
    before = client.password_hash

    result = set_default_logins(session, LoginPattern.EMAIL_AND_RANDOM)

    session.refresh(client)
    assert (result.given, client.password_hash, client.login_from_default) == (0, before, False)


def test_clients_without_a_usable_phone_are_skipped_and_counted(
    session: Session, make: Any
) -> None:
    make.client(phone="", password_hash=None)
    make.client(phone="123", password_hash=None)
    kept = make.client(phone="", mobile="555 777 8888", password_hash=None)

    result = set_default_logins(session, LoginPattern.EMAIL_AND_PHONE)

    assert (result.given, result.skipped_without_phone) == (1, 2)
    assert kept.login_from_default is True


def test_random_pattern_returns_each_new_password_once_and_it_works(
    session: Session, make: Any
) -> None:
    make.client(email="bo@example.com", password_hash=None)

    result = set_default_logins(session, LoginPattern.EMAIL_AND_RANDOM)

    [login] = result.new_logins
    assert login.email == "bo@example.com" and len(login.password) == 10
    assert authenticate_client(session, email="bo@example.com", password=login.password)


def test_running_it_twice_gives_nothing_the_second_time(session: Session, make: Any) -> None:
    make.client(password_hash=None)
    set_default_logins(session, LoginPattern.EMAIL_AND_RANDOM)

    again = set_default_logins(session, LoginPattern.EMAIL_AND_RANDOM)

    assert (again.given, again.new_logins) == (0, [])
