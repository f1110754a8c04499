"""Organization members: the paged list, members pasted in as "Name, email[, phone]" lines
(new clients, or the existing client with that email), removal, and a client's organization."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import Client, Organization
from core.services.accounts import normalize_email
from core.services.errors import BookingError, NotFound
from core.services.organizations import NAME_MAX_LENGTH, InvalidOrganization, find_organization

EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 40
MAX_IMPORT_LINES = 2000
MEMBERS_PER_PAGE = 25
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class InvalidMemberLines(BookingError):
    """Some pasted member lines cannot be read; `errors` lists (line number, message)."""

    status_code = 400
    default_message = "Nothing was saved: fix the lines below and paste the list again."

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__()
        self.errors = errors


@dataclass(frozen=True)
class MemberPage:
    rows: list[Client]
    total: int
    page: int
    pages: int


def members(session: Session, organization_id: int, page: int = 1) -> MemberPage:
    """One page of the organization's members by name; two queries however many there are."""
    condition = Client.organization_id == organization_id
    total = session.scalar(select(func.count(Client.id)).where(condition)) or 0
    pages = max(1, -(-total // MEMBERS_PER_PAGE))
    page = min(max(page, 1), pages)
    stmt = (
        select(Client)
        .where(condition)
        .order_by(func.lower(Client.name), Client.id)
        .limit(MEMBERS_PER_PAGE)
        .offset((page - 1) * MEMBERS_PER_PAGE)
    )
    return MemberPage(list(session.scalars(stmt)), total, page, pages)


@dataclass(frozen=True)
class MemberLine:
    number: int
    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class ImportedMember:
    number: int
    client: Client
    outcome: str  # what happened, for the staff's report


def parse_member_lines(text: str) -> list[MemberLine]:
    """Lines of "Name, email[, phone]" (tabs also separate, as pasted from a spreadsheet);
    blank lines are skipped. Raises InvalidMemberLines naming every bad line."""
    lines: list[MemberLine] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    raw_lines = text.splitlines()
    if len([line for line in raw_lines if line.strip()]) > MAX_IMPORT_LINES:
        raise InvalidMemberLines([(0, f"Paste at most {MAX_IMPORT_LINES:,} lines at a time.")])
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        parts = [part.strip() for part in raw.split("\t" if "\t" in raw else ",")]
        if len(parts) not in (2, 3):
            errors.append((number, "Write “Name, email” or “Name, email, phone”."))
            continue
        name, email, phone = parts[0], normalize_email(parts[1]), parts[2] if parts[2:] else ""
        if not name:
            errors.append((number, "The name is missing."))
        elif len(name) > NAME_MAX_LENGTH:
            errors.append((number, f"Keep the name to {NAME_MAX_LENGTH} characters."))
        elif len(email) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(email):
            errors.append((number, f"“{parts[1]}” is not an email address like name@example.com."))
        elif len(phone) > PHONE_MAX_LENGTH:
            errors.append((number, f"Keep the phone number to {PHONE_MAX_LENGTH} characters."))
        elif email in seen:
            errors.append((number, f"{email} is already on line {seen[email]}."))
        else:
            seen[email] = number
            lines.append(MemberLine(number, name, email, phone))
    if errors:
        raise InvalidMemberLines(errors)
    if not lines:
        raise InvalidMemberLines([(0, "Paste at least one line: Name, email, phone.")])
    return lines


def import_members(
    session: Session, organization_id: int, text: str, *, now: datetime
) -> list[ImportedMember]:
    """Make each pasted person a member: a new client (without a login yet), or the existing
    client with that email. One transaction: any bad line and nothing is saved.

    Raises NotFound or InvalidMemberLines.
    """
    organization = find_organization(session, organization_id)
    lines = parse_member_lines(text)
    existing = {
        c.email: c
        for c in session.scalars(select(Client).where(Client.email.in_([li.email for li in lines])))
    }
    other_ids = {c.organization_id for c in existing.values()} - {None, organization.id}
    names = select(Organization.id, Organization.name).where(Organization.id.in_(other_ids))
    other_names = dict(session.execute(names).all())
    imported: list[ImportedMember] = []
    for line in lines:
        client = existing.get(line.email)
        if client is None:
            client = Client(
                name=line.name,
                email=line.email,
                phone=line.phone,
                created_at=now,
                organization_id=organization.id,
            )
            session.add(client)
            outcome = "New client added"
        elif client.organization_id == organization.id:
            outcome = "Already a member"
        elif client.organization_id is not None:
            outcome = f"Existing client, moved from {other_names[client.organization_id]}"
        else:
            outcome = "Existing client added"
        client.organization_id = organization.id
        imported.append(ImportedMember(line.number, client, outcome))
    try:
        session.commit()
    except IntegrityError:  # someone created one of these emails at the same moment
        session.rollback()
        raise InvalidMemberLines(
            [(0, "A client with one of these emails was just added. Please paste the list again.")]
        ) from None
    return imported


def remove_member(session: Session, organization_id: int, client_id: int) -> Client:
    """Take a client out of the organization (the client and their bookings stay).
    Raises NotFound when the client is not a member."""
    client = session.get(Client, client_id)
    if client is None or client.organization_id != organization_id:
        raise NotFound("That client is not a member of this organization.")
    client.organization_id = None
    session.commit()
    return client


def check_organization_id(session: Session, organization_id: int | None) -> None:
    """Raises InvalidOrganization (field "organization_id") for an unknown organization."""
    if organization_id is not None and session.get(Organization, organization_id) is None:
        raise InvalidOrganization(
            "Choose one of the organizations offered.", field="organization_id"
        )


def set_client_organization(
    session: Session, client_id: int, organization_id: int | None
) -> Client:
    """Make a client a member of an organization, or of none. Raises NotFound,
    InvalidOrganization (field "organization_id") for an unknown organization."""
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound("We could not find that client.")
    check_organization_id(session, organization_id)
    client.organization_id = organization_id
    session.commit()
    return client
