"""What the studio offers and where: service types (create, update, slugs), locations, formats.

Slugs are the last part of a service type's deep link, so they are validated here, once, and
their uniqueness is left to the database's unique constraint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core.models import Location, ServiceKind, ServiceType
from core.services.errors import BookingError, NotFound

SLUG_MAX_LENGTH = 80
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Words the client widget uses for its own pages under /book/, so no deep link may take them.
RESERVED_SLUGS = frozenset({"checkout", "confirm", "confirmed"})


class InvalidSlug(BookingError):
    status_code = 400
    default_message = (
        "Use lowercase letters, digits and single hyphens only, for example family-portrait."
    )


class SlugTaken(BookingError):
    status_code = 409
    default_message = "Another session type already uses this slug. Please choose another one."


class InvalidServiceType(BookingError):
    status_code = 400


@dataclass(frozen=True)
class ServiceTypeDetails:
    """Everything staff set on a service type; `display_price` in minor units, None = not shown."""

    kind: ServiceKind
    name: str
    slug: str
    duration_minutes: int
    online: bool = False
    online_name: str = ""
    marketing_description: str = ""
    display_price: int | None = None
    location_address: str = ""


def validate_slug(slug: str) -> str:
    """The slug if it is lowercase letters, digits and single hyphens. Raises InvalidSlug."""
    if not slug:
        raise InvalidSlug("Enter a slug: it becomes the end of the online booking link.")
    if len(slug) > SLUG_MAX_LENGTH:
        raise InvalidSlug(f"Keep the slug to {SLUG_MAX_LENGTH} characters or fewer.")
    if not _SLUG.fullmatch(slug):
        raise InvalidSlug()
    if slug in RESERVED_SLUGS:
        raise InvalidSlug(
            f"“{slug}” is reserved for the booking pages. Please choose another slug."
        )
    return slug


def _check(details: ServiceTypeDetails) -> None:
    validate_slug(details.slug)
    if not details.name.strip():
        raise InvalidServiceType("Enter an internal name.")
    if details.duration_minutes <= 0:
        raise InvalidServiceType("The duration must be at least one minute.")
    if details.display_price is not None and details.display_price < 0:
        raise InvalidServiceType("The display price cannot be negative.")


def _apply(service_type: ServiceType, details: ServiceTypeDetails) -> None:
    service_type.kind = details.kind
    service_type.name = details.name.strip()
    service_type.slug = details.slug
    service_type.duration_minutes = details.duration_minutes
    service_type.online = details.online
    service_type.online_name = details.online_name.strip()
    service_type.marketing_description = details.marketing_description.strip()
    service_type.display_price = details.display_price
    service_type.location_address = details.location_address.strip()


def _commit_or_slug_taken(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError:  # every other constraint was checked first: the slug is not unique
        session.rollback()
        raise SlugTaken() from None


def create_service_type(session: Session, details: ServiceTypeDetails) -> ServiceType:
    """A new service type. Raises InvalidSlug, InvalidServiceType or SlugTaken."""
    _check(details)
    service_type = ServiceType()
    _apply(service_type, details)
    session.add(service_type)
    _commit_or_slug_taken(session)
    return service_type


def update_service_type(
    session: Session, service_type_id: int, details: ServiceTypeDetails
) -> ServiceType:
    """The service type with new details. Raises NotFound, InvalidSlug, InvalidServiceType or
    SlugTaken."""
    service_type = find_service_type(session, service_type_id)
    _check(details)
    _apply(service_type, details)
    _commit_or_slug_taken(session)
    return service_type


def find_service_type(session: Session, service_type_id: int) -> ServiceType:
    """The service type with this id. Raises NotFound."""
    service_type = session.get(ServiceType, service_type_id)
    if service_type is None:
        raise NotFound("We could not find that session type.")
    return service_type


def all_service_types(session: Session) -> list[ServiceType]:
    """Every service type, sessions first, then by internal name."""
    return list(
        session.scalars(select(ServiceType).order_by(ServiceType.kind.desc(), ServiceType.name))
    )


def all_locations(session: Session) -> list[Location]:
    """Every location by display name, with its resources loaded."""
    stmt = select(Location).options(selectinload(Location.resources))
    return list(session.scalars(stmt.order_by(Location.display_name)))
