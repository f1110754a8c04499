"""Client accounts and staff logins: registration, profile and password checks (argon2).

Online registration and the client's profile follow the studio's Clients tab (seed 001): each
extra field is hidden, optional or required, and new clients get the studio's default status
and lead source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import (
    Client,
    FieldMode,
    ListChoice,
    ListKind,
    OnlinePreferences,
    Organization,
    Staff,
)
from core.rules.embedding import clean_attribution
from core.services.embedding import lead_source_matching
from core.services.errors import BookingError, EmailTaken, InvalidCredentials, InvalidDetails
from core.services.preferences import online_preferences

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 8


class RegistrationClosed(BookingError):
    status_code = 403
    default_message = (
        "New accounts cannot be created online. Please contact the studio and they will "
        "set up your account."
    )


@dataclass(frozen=True)
class ClientDetails:
    """The Clients tab's optional fields as a client answered them; None = not answered."""

    mobile: str = ""
    address: str = ""
    texting_consent: bool | None = None  # "May we text you?"
    marketing_consent: bool | None = None  # "May we email you marketing material?"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


_REQUIRED_MESSAGES = {
    "phone": "Enter your phone number.",
    "mobile": "Enter your mobile number.",
    "address": "Enter your address.",
    "texting_consent": "Please answer whether we may text you.",
    "marketing_consent": "Please answer whether we may email you marketing material.",
}


def field_modes(prefs: OnlinePreferences) -> dict[str, FieldMode]:
    """How each optional client field shows online, by field name."""
    return {
        "phone": prefs.phone_mode,
        "mobile": prefs.mobile_mode,
        "address": prefs.address_mode,
        "texting_consent": prefs.texting_consent_mode,
        "marketing_consent": prefs.marketing_consent_mode,
    }


def missing_details(prefs: OnlinePreferences, phone: str, details: ClientDetails) -> dict[str, str]:
    """The required fields left blank (or consents left unanswered), with their messages."""
    answers: dict[str, object] = {
        "phone": phone.strip(),
        "mobile": details.mobile.strip(),
        "address": details.address.strip(),
        "texting_consent": details.texting_consent,
        "marketing_consent": details.marketing_consent,
    }
    return {
        name: _REQUIRED_MESSAGES[name]
        for name, mode in field_modes(prefs).items()
        if mode is FieldMode.REQUIRED and answers[name] in ("", None)
    }


def _apply_details(
    client: Client, prefs: OnlinePreferences, phone: str, details: ClientDetails
) -> None:
    """Write the fields the client was shown; hidden ones keep what the client has."""
    modes = field_modes(prefs)
    if modes["phone"] is not FieldMode.HIDDEN:
        client.phone = phone.strip()
    if modes["mobile"] is not FieldMode.HIDDEN:
        client.mobile = details.mobile.strip()
    if modes["address"] is not FieldMode.HIDDEN:
        client.address = details.address.strip()
    if modes["texting_consent"] is not FieldMode.HIDDEN:
        client.texting_consent = bool(details.texting_consent)
    if modes["marketing_consent"] is not FieldMode.HIDDEN:
        # Unticked (or "No") is the client record's Do Not Market (seed 001).
        client.do_not_market = not details.marketing_consent


def lead_sources_online(session: Session) -> list[ListChoice]:
    """The "How did you hear about us?" choices: active lead sources marked Show Online."""
    return list(
        session.scalars(
            select(ListChoice)
            .where(
                ListChoice.kind == ListKind.LEAD_SOURCE,
                ListChoice.active.is_(True),
                ListChoice.show_online.is_(True),
            )
            .order_by(ListChoice.position, ListChoice.name)
        )
    )


def _chosen_lead_source(
    session: Session,
    prefs: OnlinePreferences,
    lead_source_id: int | None,
    attribution: dict[str, str] | None = None,
) -> int | None:
    """The client's answer if the question is asked and the answer is offered, else the lead
    source named like the link the client came by (its utm_source or the embed's source), else
    the studio's default lead source for new online clients."""
    if prefs.ask_lead_source and lead_source_id is not None:
        if lead_source_id in {choice.id for choice in lead_sources_online(session)}:
            return lead_source_id
        raise InvalidDetails({"lead_source": "Please choose one of the listed answers."})
    return lead_source_matching(session, attribution) or prefs.new_client_lead_source_id


def _check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidDetails({field: f"Use at least {MIN_PASSWORD_LENGTH} characters."})


def check_registration_open(organization: Organization | None) -> None:
    """Raises RegistrationClosed when the organization's link forbids new accounts (its
    members are loaded by the studio)."""
    if organization is not None and not organization.allow_new_accounts:
        raise RegistrationClosed(
            f"Accounts for {organization.name} are set up by the studio; log in with the "
            "details they sent you."
        )


def register_client(
    session: Session,
    *,
    name: str,
    email: str,
    phone: str,
    password: str,
    now: datetime,
    details: ClientDetails | None = None,
    lead_source_id: int | None = None,
    organization: Organization | None = None,
    attribution: Mapping[str, object] | None = None,
) -> Client:
    """Create a client account with a login, as the studio's Clients tab says; through an
    organization's link the client becomes its member. `attribution` (the embed's source and
    the studio page's UTM parameters) is kept on the client, cleaned, and names its lead source
    when the client chose none and a lead source has that name.

    Raises RegistrationClosed (new accounts are disabled online, or by the organization),
    InvalidDetails (a required field is blank, or an answer is not offered) or EmailTaken (the
    email has an account).
    """
    prefs = online_preferences(session)
    if prefs.disable_new_accounts:
        raise RegistrationClosed()
    check_registration_open(organization)
    details = details or ClientDetails()
    missing = missing_details(prefs, phone, details)
    if missing:
        raise InvalidDetails(missing)
    _check_password(password)
    came_from = clean_attribution(attribution or {})
    client = Client(
        name=name.strip(),
        email=normalize_email(email),
        password_hash=hash_password(password),
        created_at=now,
        status_id=prefs.new_client_status_id,
        lead_source_id=_chosen_lead_source(session, prefs, lead_source_id, came_from),
        organization_id=organization.id if organization else None,
        attribution=came_from,
    )
    _apply_details(client, prefs, phone, details)
    session.add(client)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise EmailTaken() from None
    return client


def update_profile(
    session: Session, *, client_id: int, name: str, phone: str, details: ClientDetails
) -> Client:
    """Save a client's own name and contact details; the same fields and modes as registering.

    Raises InvalidDetails when the name or a required field is blank.
    """
    prefs = online_preferences(session)
    client = session.get_one(Client, client_id)
    errors = missing_details(prefs, phone, details)
    if not name.strip():
        errors["name"] = "Enter your name."
    if errors:
        raise InvalidDetails(errors)
    client.name = name.strip()
    _apply_details(client, prefs, phone, details)
    session.commit()
    return client


def change_password(session: Session, *, client_id: int, current: str, new: str) -> None:
    """Replace a client's password after checking the current one.

    Raises InvalidDetails (current password wrong, or the new one too short).
    """
    client = session.get_one(Client, client_id)
    if not _verify(client.password_hash, current):
        raise InvalidDetails({"current_password": "That is not your current password."})
    _check_password(new, "new_password")
    client.password_hash = hash_password(new)
    client.login_from_default = False
    session.commit()


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
