"""Staff find clients, read a client's page and edit the client's details."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.models import BookedVia, Booking, Client, ListKind
from core.services import settings
from tests.conftest import NOW, WebClient
from tests.web.helpers import count_queries, text_of

LIST = "/admin/clients"


def client_url(client: Any) -> str:
    return f"{LIST}/{client.id}"


def form_of(client: Any, **change: Any) -> dict[str, Any]:
    data = {"name": client.name, "email": client.email, "phone": client.phone}
    return {**data, **change}


def reread(db_session: Any, client: Any) -> Client:
    db_session.expire_all()
    return db_session.get(Client, client.id)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("method", "url"), [("get", LIST), ("get", f"{LIST}/1"), ("post", f"{LIST}/1")]
)
def test_anonymous_visitors_are_sent_to_the_staff_login(
    web: WebClient, method: str, url: str
) -> None:
    response = getattr(web, method)(url)

    assert response.status_code == 303
    assert response.location.startswith("/admin/login?next=")


def test_search_finds_clients_by_email_in_any_case(staff_web: WebClient, make: Any) -> None:
    make.client(name="Robin Banks", email="robin@example.com")
    make.client(name="Sam Else", email="sam@example.com")

    page = text_of(staff_web.get(f"{LIST}?q=ROBIN@"))

    assert "Robin Banks" in page and "Sam Else" not in page


def test_a_search_without_matches_says_so(staff_web: WebClient, make: Any) -> None:
    make.client()

    page = text_of(staff_web.get(f"{LIST}?q=nobody"))

    assert "No client’s name, email or phone contains “nobody”." in page


def test_the_list_is_paged(staff_web: WebClient, make: Any) -> None:
    for n in range(27):
        make.client(name=f"Client {n:03}")

    page = text_of(staff_web.get(f"{LIST}?page=2"))

    assert "Page 2 of 2" in page and "Client 026" in page and "Client 000" not in page


def test_the_list_costs_the_same_queries_however_many_clients(
    staff_web: WebClient, make: Any, app_engine: Any
) -> None:
    status = make._save(settings.ListChoice(kind=ListKind.CLIENT_STATUS, name="Client", position=0))
    make.client(status_id=status.id)
    with count_queries(app_engine) as few:
        staff_web.get(LIST)
    for _ in range(20):
        make.client(status_id=status.id)
    with count_queries(app_engine) as many:
        staff_web.get(LIST)

    assert len(many) == len(few)


def test_the_client_page_shows_profile_bookings_invoices_deposits_and_promotions(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    label = settings.add_choice(db_session, ListKind.SESSION_STATUS, "Session booked – online")
    source = settings.add_choice(db_session, ListKind.LEAD_SOURCE, "Instagram")
    client = make.client(
        name="Ann Lee", mobile="0777 123", texting_consent=True, lead_source_id=source.id
    )
    slot = make.slot(NOW + timedelta(days=3))
    make._save(
        Booking(
            client=client,
            slot=slot,
            service_type=slot.service_types[0],
            booked_via=BookedVia.WIDGET,
            created_at=NOW,
            status_label_id=label.id,
        )
    )

    response = staff_web.get(client_url(client))
    page = text_of(response)

    assert response.status_code == 200
    for expected in (
        "0777 123",
        "May be texted",
        "Do Not Market",
        "Instagram",
        "Has a login",
        "Session booked – online",
        "No invoices.",
        "No promotion used yet.",
    ):
        assert expected in page
    assert f'href="/admin/clients/{client.id}/deposits"' in response.get_data(as_text=True)


def test_an_unknown_client_is_not_found(staff_web: WebClient) -> None:
    assert staff_web.get(f"{LIST}/999").status_code == 404


def test_staff_edit_contact_details_consents_and_status(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    status = settings.add_choice(db_session, ListKind.CLIENT_STATUS, "Client")
    client = make.client()

    response = staff_web.post(
        client_url(client),
        form_of(
            client,
            email="NEW@example.com",
            texting_consent="y",
            email_marketing="y",
            status_id=str(status.id),
        ),
    )

    assert (response.status_code, response.location) == (303, client_url(client))
    saved = reread(db_session, client)
    assert (saved.email, saved.texting_consent, saved.do_not_market, saved.status_id) == (
        "new@example.com",
        True,
        False,
        status.id,
    )


def test_another_clients_email_is_a_conflict_and_keeps_what_was_typed(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    make.client(email="taken@example.com")
    client = make.client()

    response = staff_web.post(
        client_url(client), form_of(client, name="Typed Name", email="Taken@example.com")
    )

    assert response.status_code == 409
    assert "Another client already has this email address." in text_of(response)
    assert 'value="Typed Name"' in response.get_data(as_text=True)
    assert reread(db_session, client).email != "taken@example.com"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Enter the client’s name."),
        ({"email": "nope"}, "Enter an email address like name@example.com."),
        ({"status_id": "abc"}, "Choose one of the entries offered."),
        ({"lead_source_id": "999"}, "Choose one of the entries offered."),
    ],
)
def test_bad_input_is_a_400_with_a_message(
    staff_web: WebClient, make: Any, change: dict[str, str], message: str
) -> None:
    client = make.client()

    response = staff_web.post(client_url(client), form_of(client, **change))

    assert response.status_code == 400
    assert message in text_of(response)
