"""Service types: creating, updating, slug rules, and the studio's display settings."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.models import ServiceKind
from core.services import catalog
from core.services.catalog import InvalidServiceType, InvalidSlug, ServiceTypeDetails, SlugTaken
from core.services.errors import NotFound


def details(**changes: Any) -> ServiceTypeDetails:
    base = ServiceTypeDetails(
        kind=ServiceKind.SESSION,
        name="FAM",
        slug="family-portrait",
        duration_minutes=60,
        online=True,
        online_name="Family Portrait Session",
        marketing_description="An hour in the studio.",
        display_price=15000,
        location_address="",
    )
    return dataclasses.replace(base, **changes)


def test_create_service_type_stores_every_detail(session: Session) -> None:
    created = catalog.create_service_type(session, details())

    stored = catalog.find_service_type(session, created.id)
    assert (stored.kind, stored.name, stored.slug) == (
        ServiceKind.SESSION,
        "FAM",
        "family-portrait",
    )
    assert (stored.duration_minutes, stored.display_price, stored.online) == (60, 15000, True)
    assert stored.online_name == "Family Portrait Session"


def test_update_service_type_changes_its_details(session: Session) -> None:
    created = catalog.create_service_type(session, details())

    catalog.update_service_type(
        session, created.id, details(slug="family", duration_minutes=90, display_price=None)
    )

    stored = catalog.find_service_type(session, created.id)
    assert (stored.slug, stored.duration_minutes, stored.display_price) == ("family", 90, None)


def test_update_keeping_its_own_slug_is_not_a_duplicate(session: Session) -> None:
    created = catalog.create_service_type(session, details())

    catalog.update_service_type(session, created.id, details(name="FAMILY"))

    assert catalog.find_service_type(session, created.id).name == "FAMILY"


def test_duplicate_slug_on_create_raises_slug_taken(session: Session) -> None:
    catalog.create_service_type(session, details())

    with pytest.raises(SlugTaken) as raised:
        catalog.create_service_type(session, details(name="OTHER"))

    assert raised.value.status_code == 409
    assert len(catalog.all_service_types(session)) == 1


def test_duplicate_slug_on_update_raises_slug_taken_and_keeps_the_old_slug(
    session: Session,
) -> None:
    catalog.create_service_type(session, details())
    other = catalog.create_service_type(session, details(name="HEAD", slug="headshots"))

    with pytest.raises(SlugTaken):
        catalog.update_service_type(session, other.id, details(name="HEAD"))

    assert catalog.find_service_type(session, other.id).slug == "headshots"


@pytest.mark.parametrize("slug", ["family-portrait", "newborn", "2-for-1", "a"])
def test_valid_slugs_are_accepted(slug: str) -> None:
    assert catalog.validate_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "Family",
        "family portrait",
        "family_portrait",
        "-family",
        "family-",
        "a--b",
        "é",
        "x" * 81,
    ],
)
def test_invalid_slugs_are_refused(slug: str) -> None:
    with pytest.raises(InvalidSlug):
        catalog.validate_slug(slug)


@pytest.mark.parametrize("slug", sorted(catalog.RESERVED_SLUGS))
def test_slugs_the_booking_pages_use_are_refused(slug: str) -> None:
    with pytest.raises(InvalidSlug, match="reserved"):
        catalog.validate_slug(slug)


def test_invalid_slug_creates_nothing(session: Session) -> None:
    with pytest.raises(InvalidSlug):
        catalog.create_service_type(session, details(slug="Family Portrait"))

    assert catalog.all_service_types(session) == []


@pytest.mark.parametrize(
    "changes", [{"duration_minutes": 0}, {"display_price": -1}, {"name": "  "}]
)
def test_impossible_details_are_refused(session: Session, changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidServiceType):
        catalog.create_service_type(session, details(**changes))


def test_unknown_service_type_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        catalog.update_service_type(session, 999, details())


def test_service_types_are_listed_sessions_first(session: Session) -> None:
    catalog.create_service_type(session, details(kind=ServiceKind.APPOINTMENT, name="A", slug="a"))
    catalog.create_service_type(session, details(name="Z", slug="z"))

    assert [t.name for t in catalog.all_service_types(session)] == ["Z", "A"]


def test_locations_are_listed_with_their_resources(session: Session, core_make: Any) -> None:
    location = core_make.location(display_name="Brooklyn")
    core_make.resource(location, name="Studio A")

    [listed] = catalog.all_locations(session)

    assert listed.display_name == "Brooklyn"
    assert [r.name for r in listed.resources] == ["Studio A"]
