"""Staff set up organizations: the list, the settings with the links to copy, members pasted in
or removed, slots given to an organization, and a client's organization on the client page."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core.models import Client, Organization, TimeSlot
from tests.conftest import WebClient
from tests.web.helpers import count_queries, text_of

LIST = "/admin/organizations"


def _lincoln(make: Any, *types: Any, **kw: Any) -> Organization:
    defaults = {"name": "Lincoln High", "slug": "lincoln-high", "service_types": list(types)}
    return make._save(Organization(**{**defaults, **kw}))  # type: ignore[no-any-return]


def _form(**change: Any) -> dict[str, Any]:
    return {"name": "Lincoln High", "slug": "lincoln-high", "active": "y", **change}


@pytest.mark.parametrize("url", [LIST, f"{LIST}/new", f"{LIST}/1", f"{LIST}/1/members"])
def test_anonymous_visitors_are_sent_to_the_staff_login(web: WebClient, url: str) -> None:
    response = web.get(url)
    assert response.status_code == 303 and "/admin/login" in response.location


def test_the_menu_leads_to_the_list_with_links_counts_and_status(
    staff_web: WebClient, make: Any
) -> None:
    portrait = make.service_type(online_name="School portrait")
    lincoln = _lincoln(make, portrait)
    _lincoln(make, name="Old Camp", slug="old-camp", active=False)
    for _ in range(3):
        make.client(organization_id=lincoln.id)

    page = staff_web.get(LIST)

    assert 'href="/admin/organizations" aria-current="page">Organizations' in page.get_data(
        as_text=True
    )
    text = text_of(page)
    assert "Lincoln High" in text and "Old Camp" in text
    assert 'value="http://studio.test/o/lincoln-high"' in page.get_data(as_text=True)
    assert "3 members of Lincoln High 1 Active" in text
    assert "0 members of Old Camp 0 Inactive" in text


def test_the_list_costs_the_same_queries_however_many_organizations(
    staff_web: WebClient, make: Any, app_engine: Any
) -> None:
    _lincoln(make)
    staff_web.get(LIST)
    with count_queries(app_engine) as few:
        staff_web.get(LIST)
    for n in range(10):
        organization = _lincoln(make, name=f"School {n}", slug=f"school-{n}")
        make.client(organization_id=organization.id)
    with count_queries(app_engine) as many:
        page = staff_web.get(LIST)
    assert "School 9" in text_of(page)
    assert len(many) == len(few)


def test_staff_create_an_organization_and_see_its_links_to_copy(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    portrait = make.service_type(online_name="School portrait", slug="school", online=False)
    make.service_type(online_name="Family", slug="family")

    form = staff_web.get(f"{LIST}/new")
    assert "School portrait (TYPE" in text_of(form) and "not public" in text_of(form)
    response = staff_web.post(
        f"{LIST}/new",
        _form(welcome="Picture day!", service_type_ids=[str(portrait.id)]),
    )

    assert response.status_code == 303
    created = db_session.scalar(select(Organization))
    assert (created.name, created.welcome, created.allow_new_accounts) == (
        "Lincoln High",
        "Picture day!",
        False,
    )
    assert [t.slug for t in created.service_types] == ["school"]
    page = staff_web.get(response.location)
    html = page.get_data(as_text=True)
    assert "created. Its booking links are below." in text_of(page)
    assert 'value="http://studio.test/o/lincoln-high"' in html
    assert 'value="http://studio.test/o/lincoln-high/school"' in html
    assert 'data-copy="org-link"' in html and 'data-copy-status="org-link"' in html


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"slug": "Lincoln High!"}, 400, "Use lowercase letters, digits and single hyphens"),
        ({"slug": ""}, 400, "Enter a slug"),
        ({"name": ""}, 400, "Enter the organization’s name."),
        ({"slug": "roosevelt"}, 409, "Another organization already has this slug"),
        ({"name": "Roosevelt"}, 409, "Another organization already has this name"),
        ({"service_type_ids": ["999"]}, 400, "'999' is not a valid choice"),
    ],
)
def test_bad_settings_are_refused_next_to_the_field_and_keep_what_was_typed(
    staff_web: WebClient,
    make: Any,
    db_session: Any,
    change: dict[str, Any],
    status: int,
    message: str,
) -> None:
    _lincoln(make, name="Roosevelt", slug="roosevelt")
    make.service_type()

    response = staff_web.post(f"{LIST}/new", _form(welcome="Typed welcome", **change))

    assert response.status_code == status
    assert message in text_of(response)
    assert "Typed welcome" in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Organization.id))) == 1


def test_staff_change_the_settings_and_types(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    portrait, family = make.service_type(), make.service_type()
    lincoln = _lincoln(make, portrait)

    response = staff_web.post(
        f"{LIST}/{lincoln.id}",
        _form(
            name="Lincoln High School",
            allow_new_accounts="y",
            include_public_slots="y",
            service_type_ids=[str(family.id)],
        ),
    )

    assert response.status_code == 303
    db_session.expire_all()
    saved = db_session.get(Organization, lincoln.id)
    assert saved.name == "Lincoln High School" and saved.allow_new_accounts
    assert saved.include_public_slots and not saved.welcome
    assert [t.id for t in saved.service_types] == [family.id]


def test_an_unknown_organization_is_not_found(staff_web: WebClient) -> None:
    assert staff_web.get(f"{LIST}/4242").status_code == 404
    assert staff_web.get(f"{LIST}/4242/members").status_code == 404


# Members


def test_pasted_members_are_added_with_a_report_per_line(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    lincoln = _lincoln(make)
    make.client(name="Existing Parent", email="parent@example.com")

    response = staff_web.post(
        f"{LIST}/{lincoln.id}/members",
        {"lines": "Jordan Lee, jordan@example.com, 555 0101\r\nAnyone, Parent@example.com"},
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "2 lines saved" in text
    assert "1 Jordan Lee jordan@example.com New client added" in text
    assert "2 Existing Parent parent@example.com Existing client added" in text
    assert "2 members, by name" in text
    db_session.expire_all()
    assert (
        db_session.scalar(select(func.count(Client.id)).where(Client.organization_id == lincoln.id))
        == 2
    )


def test_bad_member_lines_are_listed_by_number_and_nothing_is_saved(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    lincoln = _lincoln(make)
    pasted = "Good Person, good@example.com\nno comma here\nBad, not-an-email"

    response = staff_web.post(f"{LIST}/{lincoln.id}/members", {"lines": pasted})

    assert response.status_code == 400
    text = text_of(response)
    assert "Nothing was saved" in text
    assert "Line 2: Write “Name, email” or “Name, email, phone”." in text
    assert "Line 3: “not-an-email” is not an email address like name@example.com." in text
    assert "no comma here" in response.get_data(as_text=True)  # the paste is kept to fix
    assert db_session.scalar(select(func.count(Client.id))) == 0


def test_an_empty_paste_says_what_to_write(staff_web: WebClient, make: Any) -> None:
    lincoln = _lincoln(make)
    response = staff_web.post(f"{LIST}/{lincoln.id}/members", {"lines": "  "})
    assert response.status_code == 400
    assert "Paste at least one line: Name, email, phone." in text_of(response)


def test_members_are_listed_a_page_at_a_time(staff_web: WebClient, make: Any) -> None:
    lincoln = _lincoln(make)
    for n in range(27):
        make.client(name=f"Student {n:02d}", organization_id=lincoln.id)
    make.client(name="Not A Member")

    first = text_of(staff_web.get(f"{LIST}/{lincoln.id}/members"))
    second = text_of(staff_web.get(f"{LIST}/{lincoln.id}/members?page=2"))

    assert "27 members" in first and "Page 1 of 2" in first
    assert "Student 00" in first and "Student 26" not in first
    assert "Student 26" in second and "Not A Member" not in first + second


def test_removing_a_member_keeps_the_client(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    lincoln = _lincoln(make)
    member = make.client(name="Jordan Lee", organization_id=lincoln.id)

    response = staff_web.post(f"{LIST}/{lincoln.id}/members/{member.id}/remove")

    assert response.status_code == 303
    page = text_of(staff_web.get(response.location))
    assert "Jordan Lee is no longer a member." in page
    db_session.expire_all()
    assert db_session.get(Client, member.id).organization_id is None
    again = staff_web.post(f"{LIST}/{lincoln.id}/members/{member.id}/remove")
    assert again.status_code == 404


# Slots and clients


def test_a_slot_given_to_an_organization_shows_its_badge_in_the_week(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    portrait = make.service_type(online_name="School portrait")
    lincoln = _lincoln(make, portrait)
    room = make.resource()
    form = {
        "resource": str(room.id),
        "day": "2026-12-03",
        "start_time": "09:00",
        "service_types": [str(portrait.id)],
        "organization": str(lincoln.id),
    }
    assert "None: a public time slot" in text_of(
        staff_web.get(f"/admin/slots/new?location={room.location_id}")
    )

    response = staff_web.post(f"/admin/slots/new?location={room.location_id}", form)

    assert response.status_code == 303
    assert db_session.scalar(select(TimeSlot.organization_id)) == lincoln.id
    assert "Lincoln High only" in text_of(staff_web.get(response.location))


def test_a_slot_for_an_organization_that_offers_none_of_its_types_is_refused(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    lincoln = _lincoln(make, make.service_type())
    headshots = make.service_type()
    room = make.resource()
    response = staff_web.post(
        f"/admin/slots/new?location={room.location_id}",
        {
            "resource": str(room.id),
            "day": "2026-12-03",
            "start_time": "09:00",
            "service_types": [str(headshots.id)],
            "organization": str(lincoln.id),
        },
    )
    assert response.status_code == 400
    assert "Lincoln High does not offer any of the chosen session types" in text_of(response)
    assert db_session.scalar(select(func.count(TimeSlot.id))) == 0


def test_the_client_page_shows_and_changes_the_organization(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    lincoln = _lincoln(make)
    roosevelt = _lincoln(make, name="Roosevelt", slug="roosevelt")
    client = make.client(organization_id=lincoln.id)
    url = f"/admin/clients/{client.id}"

    assert "Organization Lincoln High" in text_of(staff_web.get(url))
    form = {"name": client.name, "email": client.email, "organization_id": str(roosevelt.id)}
    assert staff_web.post(url, form).status_code == 303
    db_session.expire_all()
    assert db_session.get(Client, client.id).organization_id == roosevelt.id

    staff_web.get(url)
    refused = staff_web.post(url, {**form, "organization_id": "9999"})
    assert refused.status_code == 400
    assert "Choose one of the organizations offered." in text_of(refused)
    db_session.expire_all()
    assert db_session.get(Client, client.id).organization_id == roosevelt.id
