"""Staff accounts on a real database: administrators create and change them, the studio always
keeps an active administrator and someone who can change the preferences, and a deactivated
account cannot log in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import SlotAccess, Staff, StaffRole
from core.services.accounts import authenticate_staff
from core.services.errors import InvalidCredentials, InvalidDetails, NotFound
from core.services.preferences import LastPreferencesEditor
from core.services.staff import (
    LastAdministrator,
    NotAdministrator,
    StaffDetails,
    create_staff,
    find_staff,
    list_staff,
    update_staff,
)
from tests.concurrency import race, racing_engine_for
from tests.factories import PASSWORD

SAM = StaffDetails(
    name="Sam Assistant",
    email="sam@studio.test",
    slot_access=SlotAccess.MODIFY_OVERRIDABLE,
)


def details_of(staff: Staff, **changes: Any) -> StaffDetails:
    current = StaffDetails(
        name=staff.name,
        email=staff.email,
        role=staff.role,
        slot_access=SlotAccess(staff.slot_access),
        can_edit_preferences=staff.can_edit_preferences,
        active=staff.active,
    )
    return replace(current, **changes)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Staff)) or 0


def test_an_administrator_creates_an_account_that_logs_in_with_its_levels(
    session: Session, make: Any
) -> None:
    created = create_staff(session, make.staff(), SAM, password="a long password")

    staff = authenticate_staff(session, email="SAM@studio.test ", password="a long password")
    assert staff.id == created.staff.id and created.password is None
    assert staff.role is StaffRole.STAFF and staff.slot_access == SlotAccess.MODIFY_OVERRIDABLE
    assert staff.can_edit_preferences is False


def test_without_a_password_one_is_generated_and_returned_once(session: Session, make: Any) -> None:
    created = create_staff(session, make.staff(), SAM)

    assert created.password is not None and len(created.password) >= 15
    assert created.staff.password_hash != created.password
    authenticate_staff(session, email=SAM.email, password=created.password)


def test_staff_who_are_not_administrators_cannot_manage_accounts(
    session: Session, make: Any
) -> None:
    assistant = make.staff(role=StaffRole.STAFF)
    admin = make.staff()

    with pytest.raises(NotAdministrator):
        create_staff(session, assistant, SAM)
    with pytest.raises(NotAdministrator):
        update_staff(session, assistant, admin.id, details_of(admin, active=False))
    assert count(session) == 2 and admin.active


def test_an_email_is_used_by_one_account_whatever_its_case(session: Session, make: Any) -> None:
    admin = make.staff(email="dana@studio.test")

    with pytest.raises(InvalidDetails) as refused:
        create_staff(session, admin, replace(SAM, email=" Dana@Studio.TEST"))
    assert refused.value.errors == {"email": "Another staff account already uses this email."}
    other = make.staff()
    with pytest.raises(InvalidDetails):
        update_staff(session, admin, other.id, details_of(other, email="DANA@studio.test"))
    assert count(session) == 2


def test_blank_names_bad_emails_and_short_passwords_are_refused_by_field(
    session: Session, make: Any
) -> None:
    admin = make.staff()

    with pytest.raises(InvalidDetails) as refused:
        create_staff(session, admin, replace(SAM, name=" ", email="sam@"))
    assert set(refused.value.errors) == {"name", "email"}
    with pytest.raises(InvalidDetails) as refused:
        create_staff(session, admin, SAM, password="short")
    assert set(refused.value.errors) == {"password"}
    assert count(session) == 1


def test_an_administrator_changes_name_email_role_levels_and_active(
    session: Session, make: Any
) -> None:
    admin, other = make.staff(), make.staff(role=StaffRole.STAFF)
    wanted = StaffDetails(
        name="Robin Lead",
        email="Robin@Studio.test",
        role=StaffRole.ADMINISTRATOR,
        slot_access=SlotAccess.CREATE,
        can_edit_preferences=False,
        active=False,
    )

    update_staff(session, admin, other.id, wanted)

    session.expire_all()
    saved = find_staff(session, other.id)
    assert (saved.name, saved.email, saved.role) == ("Robin Lead", "robin@studio.test", wanted.role)
    assert (saved.slot_access, saved.can_edit_preferences, saved.active) == (2, False, False)


def test_the_last_active_administrator_keeps_the_role(session: Session, make: Any) -> None:
    admin = make.staff()

    with pytest.raises(LastAdministrator):
        update_staff(session, admin, admin.id, details_of(admin, role=StaffRole.STAFF))
    with pytest.raises(LastAdministrator):
        update_staff(session, admin, admin.id, details_of(admin, active=False))
    session.expire_all()
    assert admin.role is StaffRole.ADMINISTRATOR and admin.active


def test_an_administrator_may_step_down_when_another_remains(session: Session, make: Any) -> None:
    admin, other = make.staff(), make.staff()

    update_staff(session, admin, admin.id, details_of(admin, role=StaffRole.STAFF))

    assert admin.role is StaffRole.STAFF and other.role is StaffRole.ADMINISTRATOR


def test_an_inactive_administrator_does_not_count(session: Session, make: Any) -> None:
    admin = make.staff()
    make.staff(active=False)

    with pytest.raises(LastAdministrator):
        update_staff(session, admin, admin.id, details_of(admin, role=StaffRole.STAFF))


def test_someone_active_keeps_access_to_the_preferences(session: Session, make: Any) -> None:
    admin = make.staff()
    editor = make.staff(role=StaffRole.STAFF)
    update_staff(session, admin, editor.id, details_of(editor, can_edit_preferences=False))

    with pytest.raises(LastPreferencesEditor, match="only staff member"):
        update_staff(session, admin, admin.id, details_of(admin, can_edit_preferences=False))
    admin_only = make.staff(can_edit_preferences=False)
    with pytest.raises(LastPreferencesEditor, match="Nobody else"):
        update_staff(session, admin_only, admin.id, details_of(admin, active=False))
    session.expire_all()
    assert admin.can_edit_preferences and admin.active


def test_a_deactivated_account_cannot_log_in(session: Session, make: Any) -> None:
    admin, other = make.staff(), make.staff()

    update_staff(session, admin, other.id, details_of(other, active=False))

    with pytest.raises(InvalidCredentials):
        authenticate_staff(session, email=other.email, password=PASSWORD)


def test_an_unknown_account_is_not_found(session: Session, make: Any) -> None:
    with pytest.raises(NotFound):
        update_staff(session, make.staff(), 4242, SAM)


def test_the_list_shows_active_accounts_first_then_by_name(session: Session, make: Any) -> None:
    make.staff(name="Zoe"), make.staff(name="Abe", active=False), make.staff(name="Mia")

    assert [s.name for s in list_staff(session)] == ["Mia", "Zoe", "Abe"]


@pytest.fixture
def racing_engine(database_url: str, clean_db: Engine) -> Iterator[Engine]:
    engine = racing_engine_for(database_url, 2)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_two_administrators_demoting_each_other_at_once_leave_one(
    session: Session, make: Any, racing_engine: Engine
) -> None:
    # Both keep the preferences, so the demoted one is still among the rows locked: what
    # counts is its role as committed, not as the request loaded it.
    first, second = make.staff(), make.staff()
    pairs = [(first.id, second.id), (second.id, first.id)]

    def demote(s: Session, n: int) -> None:
        actor_id, target_id = pairs[n]
        actor = find_staff(s, actor_id)  # loaded before the other commits, as in a request
        target = find_staff(s, target_id)
        update_staff(s, actor, target_id, details_of(target, role=StaffRole.STAFF))

    outcomes = race(racing_engine, demote, threads=2)

    session.expire_all()
    roles = [find_staff(session, i).role for i in (first.id, second.id)]
    assert roles.count(StaffRole.ADMINISTRATOR) == 1
    assert outcomes["won"] == 1, outcomes
    assert sum(outcomes.values()) == 2 and outcomes != Counter({"won": 2})
