"""Registration and the client's profile under the studio's Clients tab (seed 001)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.models import Client, FieldMode, ListChoice, ListKind, OnlinePreferences
from core.services.accounts import (
    ClientDetails,
    RegistrationClosed,
    authenticate_client,
    change_password,
    register_client,
    update_profile,
)
from core.services.errors import InvalidCredentials, InvalidDetails
from tests.conftest import NOW
from tests.factories import PASSWORD


def _register(session: Session, **kw: Any) -> Client:
    fields = {"name": "Ada", "email": "ada@example.com", "phone": "", "password": "long enough"}
    return register_client(session, now=NOW, **{**fields, **kw})


def test_registration_is_refused_when_new_accounts_are_disabled(
    session: Session, make: Any
) -> None:
    make._save(OnlinePreferences(disable_new_accounts=True))

    with pytest.raises(RegistrationClosed):
        _register(session)


@pytest.mark.parametrize(
    ("mode_column", "field"),
    [
        ("phone_mode", "phone"),
        ("mobile_mode", "mobile"),
        ("address_mode", "address"),
        ("texting_consent_mode", "texting_consent"),
        ("marketing_consent_mode", "marketing_consent"),
    ],
)
def test_a_required_field_left_blank_is_refused(
    session: Session, make: Any, mode_column: str, field: str
) -> None:
    make._save(OnlinePreferences(**{mode_column: FieldMode.REQUIRED}))

    with pytest.raises(InvalidDetails) as refused:
        _register(session)
    assert set(refused.value.errors) == {field}


def test_a_consent_answered_no_satisfies_required(session: Session, make: Any) -> None:
    make._save(
        OnlinePreferences(
            texting_consent_mode=FieldMode.REQUIRED, marketing_consent_mode=FieldMode.REQUIRED
        )
    )

    client = _register(
        session, details=ClientDetails(texting_consent=False, marketing_consent=False)
    )
    assert (client.texting_consent, client.do_not_market) == (False, True)


def test_marketing_consent_is_stored_as_do_not_market(session: Session, make: Any) -> None:
    client = _register(session, details=ClientDetails(marketing_consent=True))

    assert client.do_not_market is False


def test_hidden_fields_are_not_stored(session: Session, make: Any) -> None:
    make._save(OnlinePreferences(phone_mode=FieldMode.HIDDEN))

    client = _register(session, phone="+1 555 0100", details=ClientDetails(mobile="+1 555 0199"))
    assert (client.phone, client.mobile) == ("", "")


def test_new_clients_get_the_default_status_and_lead_source(session: Session, make: Any) -> None:
    status = make._save(ListChoice(kind=ListKind.CLIENT_STATUS, name="Booked online"))
    source = make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="Website"))
    make._save(
        OnlinePreferences(new_client_status_id=status.id, new_client_lead_source_id=source.id)
    )

    client = _register(session)
    assert (client.status_id, client.lead_source_id) == (status.id, source.id)


def test_the_clients_lead_source_wins_over_the_default(session: Session, make: Any) -> None:
    default = make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="Website"))
    chosen = make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="Friend", show_online=True))
    make._save(OnlinePreferences(ask_lead_source=True, new_client_lead_source_id=default.id))

    assert _register(session, lead_source_id=chosen.id).lead_source_id == chosen.id


def test_a_lead_source_not_shown_online_is_refused(session: Session, make: Any) -> None:
    hidden = make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="Staff only"))
    make._save(OnlinePreferences(ask_lead_source=True))

    with pytest.raises(InvalidDetails):
        _register(session, lead_source_id=hidden.id)


def test_profile_update_saves_shown_fields(session: Session, make: Any) -> None:
    make._save(OnlinePreferences(mobile_mode=FieldMode.OPTIONAL))
    client = make.client()

    update_profile(
        session,
        client_id=client.id,
        name="New Name",
        phone="+1 555 0111",
        details=ClientDetails(mobile="+1 555 0122", marketing_consent=True),
    )
    session.expire_all()
    saved = session.get_one(Client, client.id)
    assert (saved.name, saved.phone, saved.mobile, saved.do_not_market) == (
        "New Name",
        "+1 555 0111",
        "+1 555 0122",
        False,
    )


def test_profile_update_refuses_a_blank_required_field(session: Session, make: Any) -> None:
    make._save(OnlinePreferences(address_mode=FieldMode.REQUIRED))
    client = make.client()

    with pytest.raises(InvalidDetails) as refused:
        update_profile(session, client_id=client.id, name="X", phone="", details=ClientDetails())
    assert set(refused.value.errors) == {"address"}


def test_changing_password_needs_the_current_one(session: Session, make: Any) -> None:
    client = make.client()

    with pytest.raises(InvalidDetails) as refused:
        change_password(session, client_id=client.id, current="wrong", new="a new password")
    assert set(refused.value.errors) == {"current_password"}


def test_changing_password_refuses_a_short_one(session: Session, make: Any) -> None:
    client = make.client()

    with pytest.raises(InvalidDetails) as refused:
        change_password(session, client_id=client.id, current=PASSWORD, new="short")
    assert set(refused.value.errors) == {"new_password"}


def test_a_changed_password_logs_in_and_the_old_one_does_not(session: Session, make: Any) -> None:
    client = make.client()

    change_password(session, client_id=client.id, current=PASSWORD, new="a new password")
    assert (
        authenticate_client(session, email=client.email, password="a new password").id == client.id
    )
    with pytest.raises(InvalidCredentials):
        authenticate_client(session, email=client.email, password=PASSWORD)
