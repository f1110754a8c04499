"""Staff's client list and client page: search, profile, bookings with labels, editing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.models import BookedVia, Booking, BookingStatus, ListKind
from core.services import clients, settings
from core.services.clients import ClientDetails, InvalidClient, LoginState
from core.services.errors import EmailTaken, NotFound
from tests.conftest import NOW


def booking(make: Any, client: Any, start: Any, **kw: Any) -> Booking:
    slot = make.slot(start)
    return make._save(  # type: ignore[no-any-return]
        Booking(
            client=client,
            slot=slot,
            service_type=slot.service_types[0],
            booked_via=BookedVia.WIDGET,
            created_at=NOW,
            **kw,
        )
    )


def details(client: Any, **kw: Any) -> ClientDetails:
    base = {"name": client.name, "email": client.email, "phone": client.phone}
    return ClientDetails(**{**base, **kw})


@pytest.mark.parametrize("query", ["ROBIN", "robin@EXAMPLE", "555 0199", "0777"])
def test_search_matches_name_email_phone_or_mobile_in_any_case(
    session: Session, make: Any, query: str
) -> None:
    wanted = make.client(
        name="Robin Banks", email="robin@example.com", phone="+1 555 0199", mobile="0777 123"
    )
    make.client(name="Someone Else", email="else@example.com", phone="+1 555 0100")

    found = clients.search_clients(session, query)

    assert [row.client.id for row in found.rows] == [wanted.id]


def test_search_pages_by_name(session: Session, make: Any) -> None:
    for n in range(clients.PER_PAGE + 2):
        make.client(name=f"Client {n:03}")

    first, last = clients.search_clients(session, page=1), clients.search_clients(session, page=9)

    assert (first.total, first.pages, len(first.rows)) == (
        clients.PER_PAGE + 2,
        2,
        clients.PER_PAGE,
    )
    assert (last.page, [r.client.name for r in last.rows]) == (2, ["Client 025", "Client 026"])


def test_the_list_names_the_status_and_lead_source(session: Session, make: Any) -> None:
    status = settings.add_choice(session, ListKind.CLIENT_STATUS, "Prospect")
    source = settings.add_choice(session, ListKind.LEAD_SOURCE, "Instagram")
    make.client(status_id=status.id, lead_source_id=source.id)

    (row,) = clients.search_clients(session).rows

    assert (row.status, row.lead_source) == ("Prospect", "Instagram")


@pytest.mark.parametrize(
    ("password_hash", "from_default", "state"),
    [
        ("hash", False, LoginState.OWN),
        ("hash", True, LoginState.FROM_DEFAULT),
        (None, False, LoginState.NONE),
    ],
)
def test_login_state(
    make: Any, password_hash: str | None, from_default: bool, state: LoginState
) -> None:
    client = make.client(password_hash=password_hash, login_from_default=from_default)

    assert clients.login_state(client) is state


def test_profile_splits_upcoming_and_past_bookings_with_their_labels(
    session: Session, make: Any
) -> None:
    label = settings.add_choice(session, ListKind.SESSION_STATUS, "Session booked – online")
    client = make.client()
    soon = booking(make, client, NOW + timedelta(days=2), status_label_id=label.id)
    later = booking(make, client, NOW + timedelta(days=9))
    done = booking(make, client, NOW - timedelta(days=3))
    off = booking(make, client, NOW + timedelta(days=4), status=BookingStatus.CANCELLED)

    profile = clients.client_profile(session, client.id, now=NOW)

    assert [r.booking.id for r in profile.upcoming] == [soon.id, later.id]
    assert [r.booking.id for r in profile.past] == [off.id, done.id]
    assert profile.upcoming[0].label == "Session booked – online"


def test_profile_of_an_unknown_client_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        clients.client_profile(session, 999, now=NOW)


def test_update_saves_contact_details_consents_status_and_source(
    session: Session, make: Any
) -> None:
    status = settings.add_choice(session, ListKind.CLIENT_STATUS, "Client")
    source = settings.add_choice(session, ListKind.LEAD_SOURCE, "Google")
    client = make.client()

    clients.update_client(
        session,
        client.id,
        ClientDetails(
            name=" Ann Lee ",
            email=" Ann@Example.com ",
            mobile="0777",
            address="1 High St",
            texting_consent=True,
            do_not_market=False,
            status_id=status.id,
            lead_source_id=source.id,
        ),
    )

    session.expire_all()
    assert (client.name, client.email, client.mobile, client.address) == (
        "Ann Lee",
        "ann@example.com",
        "0777",
        "1 High St",
    )
    assert (client.texting_consent, client.do_not_market) == (True, False)
    assert (client.status_id, client.lead_source_id) == (status.id, source.id)


def test_update_refuses_another_clients_email_in_any_case(session: Session, make: Any) -> None:
    make.client(email="taken@example.com")
    client = make.client()

    with pytest.raises(EmailTaken):
        clients.update_client(session, client.id, details(client, email="TAKEN@example.com"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "  "}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "1" * 41}, "phone"),
        ({"status_id": 999}, "status_id"),
        ({"lead_source_id": 999}, "lead_source_id"),
    ],
)
def test_update_refuses_bad_values_naming_the_field(
    session: Session, make: Any, change: dict[str, Any], field: str
) -> None:
    client = make.client()

    with pytest.raises(InvalidClient) as raised:
        clients.update_client(session, client.id, details(client, **change))

    assert raised.value.field == field


def test_a_retired_status_is_not_offered_unless_the_client_has_it(
    session: Session, make: Any
) -> None:
    kept = settings.add_choice(session, ListKind.CLIENT_STATUS, "Old")
    other = settings.add_choice(session, ListKind.CLIENT_STATUS, "Older")
    settings.set_choice_active(session, kept.id, False)
    settings.set_choice_active(session, other.id, False)
    client = make.client(status_id=kept.id)

    offered = clients.choices(session, ListKind.CLIENT_STATUS, client.status_id)

    assert [c.name for c in offered] == ["Old"]
    with pytest.raises(InvalidClient):
        clients.update_client(session, client.id, details(client, status_id=other.id))


def test_only_lead_sources_and_booking_reasons_are_shown_online(session: Session) -> None:
    source = settings.add_choice(session, ListKind.LEAD_SOURCE, "Google")
    status = settings.add_choice(session, ListKind.CLIENT_STATUS, "Client")

    assert settings.set_choice_show_online(session, source.id, True).show_online is True
    with pytest.raises(settings.InvalidChoiceName):
        settings.set_choice_show_online(session, status.id, True)
