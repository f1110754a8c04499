"""Clients for staff: search the client list, read a client's page (contact details, consents,
status, lead source, login, bookings, invoices) and edit the client's profile.

The list costs two queries (rows and count) however many clients there are; the page a fixed few.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload

from core.models import Booking, BookingStatus, Client, ListChoice, ListKind, TimeSlot
from core.services.accounts import normalize_email
from core.services.billing import InvoiceRow, find_client, list_invoices
from core.services.errors import BookingError, EmailTaken

PER_PAGE = 25
NAME_MAX_LENGTH = 120
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 40
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class InvalidClient(BookingError):
    """A profile value staff cannot save; `field` names it."""

    status_code = 400

    def __init__(self, message: str | None = None, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class LoginState(enum.Enum):
    """Whether the client can log in to the booking pages, and how the login came about."""

    OWN = "Has a login"
    FROM_DEFAULT = "Login set by default"
    NONE = "No login"


def login_state(client: Client) -> LoginState:
    """The client's login state (seed 001: "Set for all existing clients now" sets defaults)."""
    if client.password_hash is None:
        return LoginState.NONE
    return LoginState.FROM_DEFAULT if client.login_from_default else LoginState.OWN


# The list


@dataclass(frozen=True)
class ClientRow:
    client: Client
    status: str  # the status's name, "" when none
    lead_source: str


@dataclass(frozen=True)
class ClientPage:
    rows: list[ClientRow]
    total: int
    page: int
    pages: int


def _matching(query: str | None) -> list[ColumnElement[bool]]:
    query = (query or "").strip()
    if not query:
        return []
    return [
        or_(
            Client.name.icontains(query, autoescape=True),
            Client.email.icontains(query, autoescape=True),
            Client.phone.icontains(query, autoescape=True),
            Client.mobile.icontains(query, autoescape=True),
        )
    ]


def search_clients(session: Session, query: str | None = None, page: int = 1) -> ClientPage:
    """One page of clients by name whose name, email, phone or mobile contains `query`
    (any case); a page past the last gives the last. Two queries, however many clients."""
    conditions = _matching(query)
    total = session.scalar(select(func.count(Client.id)).where(*conditions)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    status, source = aliased(ListChoice), aliased(ListChoice)
    stmt = (
        select(Client, status.name, source.name)
        .outerjoin(status, status.id == Client.status_id)
        .outerjoin(source, source.id == Client.lead_source_id)
        .where(*conditions)
        .order_by(func.lower(Client.name), Client.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    rows = [ClientRow(c, s or "", ls or "") for c, s, ls in session.execute(stmt)]
    return ClientPage(rows, total, page, pages)


# The client's page


@dataclass(frozen=True)
class BookingRow:
    booking: Booking  # slot with its location, and service type, loaded
    label: str  # the type's status label at the time ("" when none)
    reason: str


@dataclass(frozen=True)
class ClientProfile:
    client: Client
    status: ListChoice | None
    lead_source: ListChoice | None
    login: LoginState
    upcoming: list[BookingRow]  # live bookings still to come, soonest first
    past: list[BookingRow]  # the rest (held, cancelled, rescheduled), newest first
    invoices: list[InvoiceRow]


def _bookings(session: Session, client_id: int) -> list[BookingRow]:
    label, reason = aliased(ListChoice), aliased(ListChoice)
    stmt = (
        select(Booking, label.name, reason.name)
        .join(Booking.slot)
        .outerjoin(label, label.id == Booking.status_label_id)
        .outerjoin(reason, reason.id == Booking.reason_id)
        .where(Booking.client_id == client_id)
        .options(
            joinedload(Booking.slot).joinedload(TimeSlot.location),
            joinedload(Booking.service_type),
        )
        .order_by(TimeSlot.start_at.desc(), Booking.id.desc())
    )
    return [BookingRow(b, lb or "", r or "") for b, lb, r in session.execute(stmt)]


def client_profile(session: Session, client_id: int, *, now: datetime) -> ClientProfile:
    """Everything the client's page shows. Raises NotFound."""
    client = find_client(session, client_id)
    bookings = _bookings(session, client_id)
    upcoming = [
        row
        for row in bookings
        if row.booking.status is BookingStatus.BOOKED and row.booking.slot.start_at >= now
    ]
    return ClientProfile(
        client=client,
        status=session.get(ListChoice, client.status_id) if client.status_id else None,
        lead_source=(
            session.get(ListChoice, client.lead_source_id) if client.lead_source_id else None
        ),
        login=login_state(client),
        upcoming=upcoming[::-1],
        past=[row for row in bookings if row not in upcoming],
        invoices=list_invoices(session, client_id=client_id),
    )


def choices(session: Session, kind: ListKind, current: int | None) -> list[ListChoice]:
    """The active entries of a list, plus the client's current one even if retired."""
    stmt = select(ListChoice).where(
        ListChoice.kind == kind,
        or_(ListChoice.active.is_(True), ListChoice.id == (current or 0)),
    )
    return list(session.scalars(stmt.order_by(ListChoice.position, ListChoice.id)))


# Editing


@dataclass(frozen=True)
class ClientDetails:
    name: str
    email: str
    phone: str = ""
    mobile: str = ""
    address: str = ""
    texting_consent: bool = False
    do_not_market: bool = True
    status_id: int | None = None
    lead_source_id: int | None = None


def _check_choice(
    session: Session, choice_id: int | None, kind: ListKind, current: int | None, field: str
) -> int | None:
    if choice_id is None or choice_id == current:  # a retired current entry may stay
        return choice_id
    choice = session.get(ListChoice, choice_id)
    if choice is None or choice.kind is not kind or not choice.active:
        raise InvalidClient("Choose one of the entries offered.", field=field)
    return choice_id


def _check_text(details: ClientDetails) -> None:
    name, email = details.name.strip(), normalize_email(details.email)
    if not name:
        raise InvalidClient("Enter the client’s name.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidClient(f"Keep the name to {NAME_MAX_LENGTH} characters.", field="name")
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(email):
        raise InvalidClient("Enter an email address like name@example.com.", field="email")
    for field in ("phone", "mobile"):
        if len(getattr(details, field).strip()) > PHONE_MAX_LENGTH:
            raise InvalidClient(f"Keep the number to {PHONE_MAX_LENGTH} characters.", field=field)


def update_client(session: Session, client_id: int, details: ClientDetails) -> Client:
    """The client with new contact details, consents, status and lead source. Raises NotFound,
    InvalidClient, or EmailTaken (409) when another client has the email."""
    client = find_client(session, client_id)
    _check_text(details)
    email = normalize_email(details.email)
    taken = session.scalar(select(Client.id).where(Client.email == email, Client.id != client.id))
    if taken is not None:
        raise EmailTaken("Another client already has this email address.")
    status_id = _check_choice(
        session, details.status_id, ListKind.CLIENT_STATUS, client.status_id, "status_id"
    )
    source_id = _check_choice(
        session,
        details.lead_source_id,
        ListKind.LEAD_SOURCE,
        client.lead_source_id,
        "lead_source_id",
    )
    client.name = details.name.strip()
    client.email = email
    client.phone = details.phone.strip()
    client.mobile = details.mobile.strip()
    client.address = details.address.strip()
    client.texting_consent = details.texting_consent
    client.do_not_market = details.do_not_market
    client.status_id = status_id
    client.lead_source_id = source_id
    try:
        session.commit()
    except IntegrityError:  # the same email saved by someone else at the same moment
        session.rollback()
        raise EmailTaken("Another client already has this email address.") from None
    return client
