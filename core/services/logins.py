""" "Set for all existing clients now" (seed 001, General tab): give every client without a login
the studio's default one, so a mail-merge can invite them to book. A login a client set is never
replaced."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models import Client, LoginPattern
from core.services.accounts import hash_password

MIN_PHONE_DIGITS = 7  # shorter is no number anyone could dial, and too easy to guess
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed from a list


@dataclass(frozen=True)
class NewLogin:
    """A generated password, shown to staff once and never stored in the clear."""

    name: str
    email: str
    password: str


@dataclass(frozen=True)
class DefaultLogins:
    """What "Set for all existing clients now" did."""

    given: int  # clients who now have the default login
    skipped_without_phone: int = 0  # EMAIL_AND_PHONE only
    new_logins: list[NewLogin] = field(default_factory=list)  # EMAIL_AND_RANDOM only


def phone_password(phone: str) -> str | None:
    """The phone number's digits, or None when there are fewer than MIN_PHONE_DIGITS."""
    digits = re.sub(r"\D", "", phone)
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def random_password() -> str:
    """Ten characters from an unambiguous alphabet: about 49 bits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))


def set_default_logins(session: Session, pattern: LoginPattern) -> DefaultLogins:
    """Give each client without a password the default login of `pattern` (username: their
    email; password: their phone's digits, or a random one returned here for staff to pass on)
    and mark it login_from_default. A client with a password keeps it, even one set while this
    runs (each write is conditional), so running it twice changes nothing the second time."""
    without = session.scalars(
        select(Client).where(Client.password_hash.is_(None)).order_by(Client.name, Client.id)
    ).all()
    given = skipped = 0
    new_logins: list[NewLogin] = []
    for client in without:
        if pattern is LoginPattern.EMAIL_AND_PHONE:
            password = phone_password(client.phone) or phone_password(client.mobile)
            if password is None:
                skipped += 1
                continue
        else:
            password = random_password()
        written = session.execute(
            update(Client)
            .where(Client.id == client.id, Client.password_hash.is_(None))
            .values(password_hash=hash_password(password), login_from_default=True)
            .execution_options(synchronize_session=False)
        )
        if written.rowcount != 1:  # type: ignore[attr-defined]
            continue  # the client set a login of their own meanwhile
        given += 1
        if pattern is LoginPattern.EMAIL_AND_RANDOM:
            new_logins.append(NewLogin(client.name, client.email, password))
    session.commit()
    return DefaultLogins(given, skipped, new_logins)
