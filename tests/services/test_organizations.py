"""Organizations on a real database: which slots and types each context offers, holds and
bookings refused outside it, members only, registration per organization, staff editing and
pasting member lists."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import (
    BookedVia,
    Booking,
    Client,
    Organization,
    ServiceType,
    SlotState,
    TimeSlot,
)
from core.services import availability
from core.services.accounts import RegistrationClosed, register_client
from core.services.booking import book, hold_slot
from core.services.errors import NotFound
from core.services.organization_members import (
    InvalidMemberLines,
    import_members,
    members,
    remove_member,
)
from core.services.organizations import (
    InvalidOrganization,
    NotAMember,
    OrganizationDetails,
    OrganizationTaken,
    SlotNotVisible,
    create_organization,
    list_organizations,
    organization_by_slug,
    update_organization,
)
from core.services.rescheduling import reschedule
from core.services.slots import create_slot
from tests.conftest import NOW
from tests.web.helpers import count_queries

HOLD_FOR = timedelta(minutes=10)
START = NOW + timedelta(days=2)


def _organization(make: Any, *types: ServiceType, **kw: Any) -> Organization:
    defaults = {"name": "Lincoln High", "slug": "lincoln-high", "service_types": list(types)}
    return make._save(Organization(**{**defaults, **kw}))  # type: ignore[no-any-return]


@pytest.fixture
def world(core_make: Any) -> dict[str, Any]:
    """A public type served by a public slot, Lincoln's slot and Roosevelt's slot, all at one
    location; Lincoln also offers a School portrait type that is not online."""
    family = core_make.service_type(online_name="Family")
    school = core_make.service_type(online_name="School portrait", online=False)
    resource = core_make.resource()
    lincoln = _organization(core_make, family, school)
    roosevelt = _organization(core_make, family, name="Roosevelt", slug="roosevelt")
    slots = {
        "public": core_make.slot(START, service_types=[family], resource=resource),
        "lincoln": core_make.slot(
            START + timedelta(hours=1),
            service_types=[family, school],
            resource=resource,
            organization_id=lincoln.id,
        ),
        "roosevelt": core_make.slot(
            START + timedelta(hours=2),
            service_types=[family],
            resource=resource,
            organization_id=roosevelt.id,
        ),
    }
    return {
        "family": family,
        "school": school,
        "lincoln": lincoln,
        "roosevelt": roosevelt,
        "location_id": resource.location_id,
        "slots": slots,
    }


def _offered(
    session: Session, world: dict[str, Any], organization: Organization | None
) -> set[str]:
    slots = availability.bookable_slots(
        session,
        service_type_id=world["family"].id,
        location_id=world["location_id"],
        start=NOW,
        end=NOW + timedelta(days=7),
        now=NOW,
        organization=organization,
    )
    names = {slot.id: name for name, slot in world["slots"].items()}
    return {names[slot.id] for slot in slots}


def test_the_public_widget_never_offers_an_organizations_slots(session, world):
    assert _offered(session, world, None) == {"public"}


def test_an_organization_offers_only_its_own_slots(session, world):
    assert _offered(session, world, world["lincoln"]) == {"lincoln"}


def test_an_organization_including_public_slots_offers_both_but_never_another_organizations(
    session, world
):
    world["lincoln"].include_public_slots = True
    session.commit()
    assert _offered(session, world, world["lincoln"]) == {"public", "lincoln"}


def test_the_month_and_first_time_follow_the_same_rule(session, world):
    ids = {
        "service_type_id": world["family"].id,
        "location_id": world["location_id"],
        "now": NOW,
    }
    assert availability.first_bookable_start(session, **ids) == START
    lincoln_first = availability.first_bookable_start(session, organization=world["lincoln"], **ids)
    assert lincoln_first == START + timedelta(hours=1)
    starts = availability.bookable_starts(
        session, start=NOW, end=NOW + timedelta(days=7), organization=world["roosevelt"], **ids
    )
    assert starts == [START + timedelta(hours=2)]


def test_an_organization_lists_its_types_even_when_not_online_and_the_public_does_not(
    session, world, core_make
):
    core_make.service_type(online_name="Headshots")  # public, not Lincoln's
    public = {t.public_name for t in availability.online_service_types(session, now=NOW)}
    lincoln = {
        t.public_name
        for t in availability.online_service_types(session, now=NOW, organization=world["lincoln"])
    }
    assert public == {"Family", "Headshots"}
    assert lincoln == {"Family", "School portrait"}


def test_a_location_with_only_organization_slots_is_not_offered_publicly(session, core_make):
    school = core_make.service_type(online_name="School portrait")
    lincoln = _organization(core_make, school)
    core_make.slot(START, service_types=[school], organization_id=lincoln.id)
    assert availability.locations_offering(session, school.id, NOW) == []
    assert len(availability.locations_offering(session, school.id, NOW, organization=lincoln)) == 1


def _hold(session: Session, slot: TimeSlot, service_type: ServiceType, **kw: Any) -> Any:
    return hold_slot(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        now=NOW,
        hold_for=HOLD_FOR,
        **kw,
    )


def test_a_public_client_cannot_hold_an_organizations_slot_by_its_id(session, world):
    slot = world["slots"]["lincoln"]
    with pytest.raises(SlotNotVisible, match="not offered on this booking page"):
        _hold(session, slot, world["family"])
    session.expire_all()
    assert session.get(TimeSlot, slot.id).state is SlotState.OPEN


def test_an_organization_holds_its_own_slot_but_not_anothers_or_a_public_one(session, world):
    lincoln = world["lincoln"]
    hold = _hold(session, world["slots"]["lincoln"], world["school"], organization=lincoln)
    assert hold.slot_id == world["slots"]["lincoln"].id
    for other in ("roosevelt", "public"):
        with pytest.raises(SlotNotVisible):
            _hold(session, world["slots"][other], world["family"], organization=lincoln)


def test_an_organization_including_public_slots_holds_them_too_but_never_anothers(session, world):
    lincoln = world["lincoln"]
    lincoln.include_public_slots = True
    session.commit()
    public = _hold(session, world["slots"]["public"], world["family"], organization=lincoln)
    own = _hold(session, world["slots"]["lincoln"], world["school"], organization=lincoln)
    assert (public.slot_id, own.slot_id) == (
        world["slots"]["public"].id,
        world["slots"]["lincoln"].id,
    )
    with pytest.raises(SlotNotVisible):
        _hold(session, world["slots"]["roosevelt"], world["family"], organization=lincoln)


def test_only_a_member_books_an_organizations_slot_online(session, world, core_make):
    slot, school = world["slots"]["lincoln"], world["school"]
    outsider = core_make.client(email="outsider@example.com")
    hold = _hold(session, slot, school, organization=world["lincoln"])
    with pytest.raises(NotAMember, match="members of Lincoln High") as refused:
        book(
            session,
            slot_id=slot.id,
            service_type_id=school.id,
            client_id=outsider.id,
            now=NOW,
            hold=hold,
        )
    assert "outsider@example.com" in str(refused.value) and refused.value.status_code == 403
    assert session.scalar(select(func.count(Booking.id))) == 0
    member = core_make.client(organization_id=world["lincoln"].id)
    booking = book(
        session, slot_id=slot.id, service_type_id=school.id, client_id=member.id, now=NOW, hold=hold
    )
    assert booking.client_id == member.id


def test_staff_book_an_organizations_slot_for_anyone(session, world, core_make):
    slot = world["slots"]["lincoln"]
    anyone = core_make.client()
    booking = book(
        session,
        slot_id=slot.id,
        service_type_id=world["school"].id,
        client_id=anyone.id,
        now=NOW,
        via=BookedVia.STAFF,
    )
    assert booking.slot_id == slot.id


def test_a_public_booking_cannot_be_rescheduled_onto_an_organizations_slot(
    session, world, core_make
):
    client = core_make.client(organization_id=world["lincoln"].id)
    booking = book(
        session,
        slot_id=world["slots"]["public"].id,
        service_type_id=world["family"].id,
        client_id=client.id,
        now=NOW,
        via=BookedVia.STAFF,
    )
    with pytest.raises(SlotNotVisible):
        reschedule(
            session,
            public_id=booking.public_id,
            new_slot_id=world["slots"]["lincoln"].id,
            now=NOW,
            client_id=client.id,
        )


def test_registration_through_a_closed_link_is_refused_with_the_organizations_name(session, world):
    with pytest.raises(RegistrationClosed) as closed:
        register_client(
            session,
            name="New Student",
            email="new@example.com",
            phone="",
            password="long enough",
            now=NOW,
            organization=world["lincoln"],
        )
    assert str(closed.value) == (
        "Accounts for Lincoln High are set up by the studio; log in with the details they sent you."
    )
    assert session.scalar(select(func.count(Client.id))) == 0


def test_registration_through_an_open_link_makes_a_member(session, world):
    world["lincoln"].allow_new_accounts = True
    session.commit()
    client = register_client(
        session,
        name="New Student",
        email="new@example.com",
        phone="",
        password="long enough",
        now=NOW,
        organization=world["lincoln"],
    )
    assert client.organization_id == world["lincoln"].id


def test_an_inactive_or_unknown_link_is_not_active(session, world):
    world["lincoln"].active = False
    session.commit()
    for slug in ("lincoln-high", "nobody"):
        with pytest.raises(NotFound, match="This booking link is not active"):
            organization_by_slug(session, slug)
    assert organization_by_slug(session, "roosevelt").name == "Roosevelt"


# Staff: creating and editing


def _details(**kw: Any) -> OrganizationDetails:
    return OrganizationDetails(**{"name": "Jefferson Elementary", "slug": "jefferson", **kw})


def test_staff_create_an_organization_with_its_types(session, world):
    created = create_organization(
        session,
        _details(welcome="  Picture day!  ", service_type_ids=(world["school"].id,)),
    )
    assert created.welcome == "Picture day!" and created.allow_new_accounts is False
    assert [t.id for t in created.service_types] == [world["school"].id]


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter the organization’s name."),
        ({"slug": "Lincoln High"}, "slug", "lowercase letters, digits and single hyphens"),
        ({"slug": ""}, "slug", "Enter a slug"),
        ({"slug": "x" * 81}, "slug", "80 characters"),
        ({"name": "Lincoln High"}, "name", "already has this name"),
        ({"slug": "lincoln-high"}, "slug", "already has this slug"),
        ({"service_type_ids": (999999,)}, "service_type_ids", "does not exist"),
    ],
)
def test_bad_organization_details_name_their_field_and_save_nothing(
    session, world, details, field, message
):
    with pytest.raises(InvalidOrganization, match=message) as refused:
        create_organization(session, _details(**details))
    assert refused.value.field == field
    assert session.scalar(select(func.count(Organization.id))) == 2


def test_a_taken_slug_is_a_conflict(session, world):
    with pytest.raises(OrganizationTaken) as taken:
        update_organization(session, world["roosevelt"].id, _details(slug="lincoln-high"))
    assert taken.value.status_code == 409


def test_the_list_counts_members_and_types_in_one_query(session, world, core_make):
    for _ in range(3):
        core_make.client(organization_id=world["lincoln"].id)
    session.expire_all()
    with count_queries(session.get_bind()) as statements:
        rows = {r.organization.name: (r.members, r.types) for r in list_organizations(session)}
    assert rows == {"Lincoln High": (3, 2), "Roosevelt": (0, 1)}
    assert len(statements) == 1


def test_a_slot_for_an_organization_must_serve_one_of_its_types(session, world, core_make):
    headshots = core_make.service_type(online_name="Headshots")
    resource = core_make.resource()
    with pytest.raises(InvalidOrganization, match="Lincoln High does not offer") as refused:
        create_slot(
            session,
            resource_id=resource.id,
            day=date(2026, 12, 3),
            start=time(10),
            duration_minutes=15,
            service_type_ids=[headshots.id],
            organization_id=world["lincoln"].id,
        )
    assert refused.value.field == "organization"
    slot = create_slot(
        session,
        resource_id=resource.id,
        day=date(2026, 12, 3),
        start=time(10),
        duration_minutes=15,
        service_type_ids=[world["school"].id],
        organization_id=world["lincoln"].id,
    )
    assert slot.organization_id == world["lincoln"].id


# Members


def test_pasted_members_are_created_attached_or_moved_with_a_report(session, world, core_make):
    lincoln, roosevelt = world["lincoln"], world["roosevelt"]
    core_make.client(name="Existing Parent", email="parent@example.com")
    core_make.client(name="Moving Kid", email="mover@example.com", organization_id=roosevelt.id)
    core_make.client(name="Already In", email="in@example.com", organization_id=lincoln.id)
    text = (
        "Jordan Lee, Jordan@Example.com, +1 555 0101\n"
        "\n"
        "Someone, parent@example.com\n"
        "Moving Kid\tmover@example.com\n"
        "Already In, in@example.com\n"
    )
    report = import_members(session, lincoln.id, text, now=NOW)
    assert [(r.number, r.outcome) for r in report] == [
        (1, "New client added"),
        (3, "Existing client added"),
        (4, "Existing client, moved from Roosevelt"),
        (5, "Already a member"),
    ]
    session.expire_all()
    jordan = session.scalar(select(Client).where(Client.email == "jordan@example.com"))
    assert jordan.name == "Jordan Lee" and jordan.phone == "+1 555 0101"
    assert jordan.password_hash is None  # the studio gives logins (default logins, or by hand)
    assert members(session, lincoln.id).total == 4
    assert members(session, roosevelt.id).total == 0
    parent = session.scalar(select(Client).where(Client.email == "parent@example.com"))
    assert parent.name == "Existing Parent"  # an existing client's details are kept


def test_bad_member_lines_are_named_by_number_and_nothing_is_saved(session, world):
    text = (
        "Good Person, good@example.com\n"
        "Only a name\n"
        ", nobody@example.com\n"
        "Bad Email, not-an-email\n"
        "Twice, good@example.com\n"
        "Too, many, fields, here\n"
    )
    with pytest.raises(InvalidMemberLines) as refused:
        import_members(session, world["lincoln"].id, text, now=NOW)
    assert refused.value.errors == [
        (2, "Write “Name, email” or “Name, email, phone”."),
        (3, "The name is missing."),
        (4, "“not-an-email” is not an email address like name@example.com."),
        (5, "good@example.com is already on line 1."),
        (6, "Write “Name, email” or “Name, email, phone”."),
    ]
    assert session.scalar(select(func.count(Client.id))) == 0


def test_an_empty_paste_is_refused(session, world):
    with pytest.raises(InvalidMemberLines) as refused:
        import_members(session, world["lincoln"].id, "\n  \n", now=NOW)
    assert refused.value.errors == [(0, "Paste at least one line: Name, email, phone.")]


def test_members_are_paged_by_name(session, world, core_make):
    for n in range(30):
        core_make.client(name=f"Student {n:02d}", organization_id=world["lincoln"].id)
    first, last = members(session, world["lincoln"].id), members(session, world["lincoln"].id, 9)
    assert (first.total, first.pages, len(first.rows)) == (30, 2, 25)
    assert first.rows[0].name == "Student 00"
    assert (last.page, [c.name for c in last.rows][-1]) == (2, "Student 29")


def test_removing_a_member_keeps_the_client(session, world, core_make):
    member = core_make.client(organization_id=world["lincoln"].id)
    remove_member(session, world["lincoln"].id, member.id)
    session.expire_all()
    assert session.get(Client, member.id).organization_id is None
    with pytest.raises(NotFound, match="not a member"):
        remove_member(session, world["lincoln"].id, member.id)


def test_the_demo_has_lincoln_high_whose_students_log_in_and_see_only_its_slots(session):
    from core.services.accounts import authenticate_client
    from core.services.demo import DEMO_CLIENT_PASSWORD, DEMO_STUDENTS, seed_demo

    seed_demo(session, now=NOW)
    lincoln = organization_by_slug(session, "lincoln-high")
    assert (lincoln.allow_new_accounts, [t.public_name for t in lincoln.service_types]) == (
        False,
        ["School portrait"],
    )
    for _, email in DEMO_STUDENTS:
        student = authenticate_client(session, email=email, password=DEMO_CLIENT_PASSWORD)
        assert student.organization_id == lincoln.id
    public = {t.slug for t in availability.online_service_types(session, now=NOW)}
    assert "school-portrait" not in public
    own = session.scalars(select(TimeSlot).where(TimeSlot.organization_id == lincoln.id)).all()
    assert len(own) >= 8 and all(s.start_at > NOW for s in own)
