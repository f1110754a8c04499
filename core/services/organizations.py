"""Organizations (seed 001, "Online Booking for Organizations"): a school or a team books
through its own deep link, sees only its own service types and time slots, and may forbid new
accounts (the studio pre-loads its members).

Visibility in one sentence: a slot with an organization is offered only in that organization's
context; the public widget never offers, holds or books it. `visible_slots` and `offered_types`
are the SQL the availability queries add, so they stay one query per question. Members (pasted
lists, removal) are in organization_members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    bindparam,
    exists,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import Client, Organization, ServiceType, TimeSlot, organization_service_type
from core.services.errors import BookingError, NotFound, SlotNotOffered
from core.services.read_cache import cached

NAME_MAX_LENGTH = 120
SLUG_MAX_LENGTH = 80
WELCOME_MAX_LENGTH = 2000
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class InvalidOrganization(BookingError):
    """A value staff cannot save; `field` names the form field."""

    status_code = 400

    def __init__(self, message: str | None = None, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class OrganizationTaken(InvalidOrganization):
    status_code = 409


class LinkNotActive(NotFound):
    default_message = (
        "This booking link is not active. Please check the link you were sent, "
        "or contact the studio."
    )


class SlotNotVisible(SlotNotOffered):
    status_code = 404
    default_message = "That time is not offered on this booking page. Please choose another time."


class NotAMember(BookingError):
    status_code = 403

    def __init__(self, organization_name: str, email: str) -> None:
        super().__init__(
            f"Booking through this link is for members of {organization_name}. "
            f"The account {email} is not on {organization_name}’s list: log in with the details "
            "the studio sent you, or contact the studio."
        )


# Visibility: SQL the availability queries add, and the same rule for one loaded slot


def visible_slots(organization: Organization | None) -> ColumnElement[bool]:
    """SQL for 'this slot is offered here': public slots in the public widget; in an
    organization's context its own slots, plus public ones when it includes them."""
    if organization is None:
        return slots_visible(None)
    return slots_visible(organization.id, include_public=organization.include_public_slots)


def slots_visible(
    organization_id: int | BindParameter[int] | None, *, include_public: bool = False
) -> ColumnElement[bool]:
    """`visible_slots` for an organization given by its id (or a parameter bound later)."""
    if organization_id is None:
        return TimeSlot.organization_id.is_(None)
    own = TimeSlot.organization_id == organization_id
    return or_(own, TimeSlot.organization_id.is_(None)) if include_public else own


def offered_types(organization: Organization | None) -> ColumnElement[bool]:
    """SQL for 'this service type is offered here': online types in the public widget, the
    organization's own types (online or not) in its context."""
    if organization is None:
        return ServiceType.online.is_(True)
    return exists().where(
        organization_service_type.c.organization_id == organization.id,
        organization_service_type.c.service_type_id == ServiceType.id,
    )


def is_visible(slot: TimeSlot, organization: Organization | None) -> bool:
    if slot.organization_id is None:
        return organization is None or organization.include_public_slots
    return organization is not None and slot.organization_id == organization.id


def check_visible(slot: TimeSlot, organization: Organization | None) -> None:
    """Raises SlotNotVisible when `slot` is not offered in this context."""
    if not is_visible(slot, organization):
        raise SlotNotVisible()


def check_member(client: Client, organization: Organization | None) -> None:
    """Raises NotAMember when booking in an organization's context by someone outside it."""
    if organization is not None and client.organization_id != organization.id:
        raise NotAMember(organization.name, client.email)


def check_member_of_slot(session: Session, client_id: int, slot: TimeSlot) -> None:
    """An organization's slot is booked online only by its members. Raises NotAMember."""
    if slot.organization_id is None:
        return
    client = session.get_one(Client, client_id)
    if client.organization_id != slot.organization_id:
        organization = session.get_one(Organization, slot.organization_id)
        raise NotAMember(organization.name, client.email)


def organization_by_slug(session: Session, slug: str) -> Organization:
    """The active organization behind a deep link. Raises LinkNotActive (unknown or inactive)."""
    organization = session.scalar(
        select(Organization).where(Organization.slug == slug, Organization.active.is_(True))
    )
    if organization is None:
        raise LinkNotActive()
    return organization


def _offered_by_slug(in_organization: bool) -> Select[ServiceType]:
    """The type with the slug :slug offered in the public widget, or to :in_organization."""
    offered = (
        exists().where(
            organization_service_type.c.organization_id == bindparam("in_organization"),
            organization_service_type.c.service_type_id == ServiceType.id,
        )
        if in_organization
        else offered_types(None)
    )
    return select(ServiceType).where(ServiceType.slug == bindparam("slug"), offered)


# Built once, as every step of a booking asks (issue 9): public, and in an organization.
_OFFERED_BY_SLUG = (_offered_by_slug(False), _offered_by_slug(True))


def offered_type_by_slug(
    session: Session, slug: str, organization: Organization | None
) -> ServiceType:
    """The service type behind a deep link, if offered here. Raises NotFound."""
    offered = _OFFERED_BY_SLUG[organization is not None]
    key = organization.id if organization else None
    values = {"slug": slug, "in_organization": key}
    service_type = session.scalar(cached(offered, "offered type", slug, key), values)
    if service_type is None:
        where = f" for {organization.name}" if organization else " online"
        raise NotFound(f"We could not find that session type. It may no longer be offered{where}.")
    return service_type


def slot_organization(session: Session, slot: TimeSlot) -> Organization | None:
    """The organization a slot belongs to (the context to reschedule its booking in)."""
    return session.get(Organization, slot.organization_id) if slot.organization_id else None


# Staff: the list, creating and editing


@dataclass(frozen=True)
class OrganizationDetails:
    name: str
    slug: str
    welcome: str = ""
    active: bool = True
    allow_new_accounts: bool = False
    include_public_slots: bool = False
    service_type_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class OrganizationRow:
    organization: Organization
    members: int
    types: int


def list_organizations(session: Session) -> list[OrganizationRow]:
    """Every organization by name with its member and service type counts: one query."""
    members = (
        select(func.count(Client.id))
        .where(Client.organization_id == Organization.id)
        .scalar_subquery()
    )
    types = (
        select(func.count())
        .select_from(organization_service_type)
        .where(organization_service_type.c.organization_id == Organization.id)
        .scalar_subquery()
    )
    counts = type_coerce(members, Integer), type_coerce(types, Integer)
    stmt = select(Organization, *counts).order_by(func.lower(Organization.name))
    return [OrganizationRow(o, m or 0, t or 0) for o, m, t in session.execute(stmt)]


def all_organizations(session: Session) -> list[Organization]:
    """Every organization by name (for the slot and client forms' choices)."""
    return list(session.scalars(select(Organization).order_by(func.lower(Organization.name))))


def find_organization(session: Session, organization_id: int) -> Organization:
    """The organization with this id. Raises NotFound."""
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("We could not find that organization.")
    return organization


def validate_slug(slug: str) -> str:
    """The slug if lowercase letters, digits and single hyphens. Raises InvalidOrganization."""
    if not slug:
        raise InvalidOrganization("Enter a slug: it becomes the end of the link.", field="slug")
    if len(slug) > SLUG_MAX_LENGTH:
        raise InvalidOrganization(
            f"Keep the slug to {SLUG_MAX_LENGTH} characters or fewer.", field="slug"
        )
    if not _SLUG.fullmatch(slug):
        raise InvalidOrganization(
            "Use lowercase letters, digits and single hyphens only, for example lincoln-high.",
            field="slug",
        )
    return slug


def _check(session: Session, details: OrganizationDetails, current_id: int | None) -> None:
    name = details.name.strip()
    if not name:
        raise InvalidOrganization("Enter the organization’s name.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidOrganization(f"Keep the name to {NAME_MAX_LENGTH} characters.", field="name")
    validate_slug(details.slug)
    if len(details.welcome.strip()) > WELCOME_MAX_LENGTH:
        raise InvalidOrganization(
            f"Keep the welcome text to {WELCOME_MAX_LENGTH} characters.", field="welcome"
        )
    others = select(Organization).where(Organization.id != (current_id or 0))
    for field, column, value in (
        ("name", Organization.name, name),
        ("slug", Organization.slug, details.slug),
    ):
        if session.scalar(others.where(column == value)) is not None:
            what = "name" if field == "name" else "slug (its link)"
            raise OrganizationTaken(
                f"Another organization already has this {what}. Please choose another.",
                field=field,
            )


def _types(session: Session, ids: tuple[int, ...]) -> list[ServiceType]:
    wanted = set(ids)
    types = list(session.scalars(select(ServiceType).where(ServiceType.id.in_(wanted))))
    if len(types) != len(wanted):
        raise InvalidOrganization(
            "One of the chosen session types does not exist any more.", field="service_type_ids"
        )
    return types


def _save(
    session: Session, organization: Organization, details: OrganizationDetails
) -> Organization:
    _check(session, details, organization.id)
    types = _types(session, details.service_type_ids)
    organization.name = details.name.strip()
    organization.slug = details.slug
    organization.welcome = details.welcome.strip()
    organization.active = details.active
    organization.allow_new_accounts = details.allow_new_accounts
    organization.include_public_slots = details.include_public_slots
    organization.service_types = types
    session.add(organization)
    try:
        session.commit()
    except IntegrityError:  # the same name or slug saved by someone else at the same moment
        session.rollback()
        raise OrganizationTaken(
            "Another organization already has this name or slug.", field="slug"
        ) from None
    return organization


def create_organization(session: Session, details: OrganizationDetails) -> Organization:
    """A new organization with its service types. Raises InvalidOrganization (or
    OrganizationTaken for a name or slug in use); nothing is saved then."""
    return _save(session, Organization(), details)


def update_organization(
    session: Session, organization_id: int, details: OrganizationDetails
) -> Organization:
    """The organization with new settings and types. Raises NotFound, InvalidOrganization."""
    return _save(session, find_organization(session, organization_id), details)


def check_slot_organization(
    session: Session, organization_id: int | None, service_type_ids: list[int]
) -> None:
    """A slot given to an organization must serve at least one of its types, or nobody could
    ever book it. Raises InvalidOrganization (field "organization")."""
    if organization_id is None:
        return
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise InvalidOrganization("Choose one of the organizations offered.", field="organization")
    offered = {t.id for t in organization.service_types}
    if not offered & set(service_type_ids):
        raise InvalidOrganization(
            f"{organization.name} does not offer any of the chosen session types. Add a type to "
            "the organization first, or choose one it offers.",
            field="organization",
        )
