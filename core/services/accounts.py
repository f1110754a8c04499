"""Client accounts and staff logins: registration and password checks (argon2)."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import Client, Staff
from core.services.errors import EmailTaken, InvalidCredentials

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def register_client(
    session: Session, *, name: str, email: str, phone: str, password: str, now: datetime
) -> Client:
    """Create a client account with a login. Raises EmailTaken if the email has one already."""
    client = Client(
        name=name.strip(),
        email=normalize_email(email),
        phone=phone.strip(),
        password_hash=hash_password(password),
        created_at=now,
    )
    session.add(client)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise EmailTaken() from None
    return client


def authenticate_client(session: Session, *, email: str, password: str) -> Client:
    """The client with this email and password. Raises InvalidCredentials, the same for any miss."""
    client = session.scalar(select(Client).where(Client.email == normalize_email(email)))
    if not _verify(client.password_hash if client else None, password) or client is None:
        raise InvalidCredentials()
    return client


def create_staff(session: Session, *, name: str, email: str, password: str) -> Staff:
    """Create an active staff login. Raises EmailTaken if one exists with this email."""
    staff = Staff(name=name, email=normalize_email(email), password_hash=hash_password(password))
    session.add(staff)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise EmailTaken("A staff member with this email already exists.") from None
    return staff


def authenticate_staff(session: Session, *, email: str, password: str) -> Staff:
    """The active staff member with this email and password. Raises InvalidCredentials."""
    staff = session.scalar(select(Staff).where(Staff.email == normalize_email(email)))
    ok = _verify(staff.password_hash if staff else None, password)
    if staff is None or not ok or not staff.active:
        raise InvalidCredentials()
    return staff
