"""Forgotten passwords: a signed link by mail, valid for a while and usable once.

The token is an itsdangerous timed signature (the app's secret key, a salt of its own) over the
client's id and a fingerprint of their current password hash. Setting a password changes the hash
(argon2 salts every hash), so a used link stops working, and so does every older one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.models import Client, OutboxMessage
from core.services.accounts import MIN_PASSWORD_LENGTH, hash_password, normalize_email
from core.services.errors import BookingError, InvalidDetails
from core.services.mail import MailContent, queue_mail

SALT = "studiobook.password-reset"
KIND = "password_reset"
# At most this many reset mails per client per hour: the form cannot be used to flood a mailbox.
MAX_MAILS_PER_HOUR = 3


class ResetLinkInvalid(BookingError):
    status_code = 400
    default_message = (
        "This link is not valid. It may have been copied incompletely. "
        "Please ask for a new link below."
    )


class ResetLinkExpired(ResetLinkInvalid):
    default_message = "This link has expired. Please ask for a new link below."


class ResetLinkUsed(ResetLinkInvalid):
    default_message = (
        "This link has been used already: the password was changed after it was sent. "
        "Please ask for a new link below if you need one."
    )


def _fingerprint(client: Client) -> str:
    return hashlib.sha256((client.password_hash or "").encode()).hexdigest()[:20]


def _serializer(secret_key: str, now: datetime) -> URLSafeTimedSerializer:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())  # the clock is a parameter, never time.time()

    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=ClockSigner)


def make_token(client: Client, *, secret_key: str, now: datetime) -> str:
    """A reset token for this client, signed at `now`."""
    return _serializer(secret_key, now).dumps([client.id, _fingerprint(client)])


def request_reset(
    session: Session,
    *,
    email: str,
    secret_key: str,
    now: datetime,
    compose: Callable[[Client, str], MailContent],
    domain: str = "studiobook.invalid",
) -> bool:
    """Queue a reset mail (`compose(client, token)` writes it) for the client with this email and
    commit; True if one was queued. Unknown emails and clients over MAX_MAILS_PER_HOUR get
    nothing, and the caller answers them all alike."""
    client = session.scalar(select(Client).where(Client.email == normalize_email(email)))
    if client is None:
        return False
    recent = session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.client_id == client.id,
            OutboxMessage.kind == KIND,
            OutboxMessage.created_at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= MAX_MAILS_PER_HOUR:
        return False
    content = compose(client, make_token(client, secret_key=secret_key, now=now))
    queue_mail(
        session,
        kind=KIND,
        to=client.email,
        content=content,
        now=now,
        domain=domain,
        client_id=client.id,
    )
    session.commit()
    return True


def client_for_token(
    session: Session, token: str, *, secret_key: str, max_age: timedelta, now: datetime
) -> Client:
    """The client a valid token names. Raises ResetLinkExpired, ResetLinkUsed (the password
    changed since) or ResetLinkInvalid (tampered, truncated, or no such client)."""
    try:
        payload: Any = _serializer(secret_key, now).loads(
            token, max_age=int(max_age.total_seconds())
        )
    except SignatureExpired:
        raise ResetLinkExpired() from None
    except BadData:
        raise ResetLinkInvalid() from None
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)):
        raise ResetLinkInvalid()
    client = session.get(Client, payload[0])
    if client is None:
        raise ResetLinkInvalid()
    if payload[1] != _fingerprint(client):
        raise ResetLinkUsed()
    return client


def reset_password(
    session: Session,
    token: str,
    new_password: str,
    *,
    secret_key: str,
    max_age: timedelta,
    now: datetime,
) -> Client:
    """Set a new password through a reset link and commit; the link stops working.

    Raises what client_for_token raises, or InvalidDetails (new_password too short).
    """
    client = client_for_token(session, token, secret_key=secret_key, max_age=max_age, now=now)
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise InvalidDetails({"new_password": f"Use at least {MIN_PASSWORD_LENGTH} characters."})
    # Only if the password is still the one the link was made for: two uses at once, one wins.
    old = Client.password_hash
    same = old.is_(None) if client.password_hash is None else old == client.password_hash
    written = session.execute(
        update(Client)
        .where(Client.id == client.id, same)
        .values(password_hash=hash_password(new_password), login_from_default=False)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ResetLinkUsed()
    session.commit()
    session.refresh(client)
    return client
