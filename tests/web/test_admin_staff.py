"""The Staff pages: administrators list, create and change accounts and their security options;
the nav shows each section only to those who may use it; a deactivated account is shut out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import SlotAccess, Staff, StaffRole
from tests.conftest import WebClient
from tests.factories import PASSWORD
from tests.web.helpers import count_queries, text_of

LIST = "/admin/staff"
FULL_SAM = {
    "name": "Sam Assistant",
    "email": "Sam@Studio.test",
    "role": "staff",
    "slot_access": "1",
    "preferences_access": "none",
    "active": "y",
}


def log_in(web: WebClient, staff: Staff, password: str = PASSWORD) -> Any:
    return web.post(
        "/admin/login", {"email": staff.email, "password": password}, follow_redirects=True
    )


def logged_in(page: Any) -> bool:
    return page.status_code == 200 and "Log out" in text_of(page)


def saved(session: Session, email: str) -> Staff:
    session.expire_all()
    staff = session.scalar(select(Staff).where(Staff.email == email))
    assert staff is not None
    return staff


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Staff)) or 0


def test_the_list_shows_each_accounts_role_levels_and_status(
    staff_web: WebClient, make: Any
) -> None:
    make.staff(
        name="Sam Assistant",
        email="sam@studio.test",
        role=StaffRole.STAFF,
        slot_access=SlotAccess.MODIFY_OVERRIDABLE,
        can_edit_preferences=False,
    )
    make.staff(name="Old Timer", active=False, slot_access=SlotAccess.NONE)

    page = text_of(staff_web.get(LIST))

    assert "Sam Assistant sam@studio.test Staff Modify overridable No access Active" in page
    assert "Old Timer" in page and "No access Full access Inactive" in page
    assert page.index("Sam Assistant") < page.index("Old Timer")


def test_the_list_takes_the_same_queries_for_many_accounts(
    staff_web: WebClient, make: Any, app_engine: Any
) -> None:
    staff_web.get(LIST)
    with count_queries(app_engine) as few:
        staff_web.get(LIST)
    for n in range(10):
        make.staff(name=f"Extra {n}")
    with count_queries(app_engine) as many:
        page = staff_web.get(LIST)

    assert "Extra 9" in text_of(page)
    assert len(many) == len(few)


def test_an_account_created_with_a_password_logs_in_with_its_levels(
    staff_web: WebClient, web: WebClient, db_session: Session, app: Any
) -> None:
    response = staff_web.post(f"{LIST}/new", {**FULL_SAM, "password": "a long password"})

    assert response.status_code == 303 and response.location == LIST
    sam = saved(db_session, "sam@studio.test")
    assert (sam.role, sam.slot_access, sam.can_edit_preferences) == (StaffRole.STAFF, 1, False)
    other_browser = WebClient(app)
    assert logged_in(log_in(other_browser, sam, "a long password"))


def test_a_generated_password_is_shown_once_and_works(
    staff_web: WebClient, db_session: Session, app: Any
) -> None:
    response = staff_web.post(f"{LIST}/new", FULL_SAM)

    assert response.status_code == 201
    shown = re.search(r'id="new-password"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert shown is not None
    assert "shown only this once" in text_of(response)
    assert shown.group(1) not in staff_web.get(LIST).get_data(as_text=True)
    sam = saved(db_session, "sam@studio.test")
    assert logged_in(log_in(WebClient(app), sam, shown.group(1)))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": " "}, "name", "Enter the staff member’s name."),
        ({"email": "sam@"}, "email", "Enter an email address"),
        ({"password": "short"}, "password", "Use at least 8 characters."),
        ({"slot_access": "7"}, "slot_access", "Not a valid choice"),
        ({"role": "owner"}, "role", "Not a valid choice"),
    ],
)
def test_a_new_account_that_cannot_be_saved_is_a_400_next_to_the_field(
    staff_web: WebClient, db_session: Session, change: dict[str, str], field: str, message: str
) -> None:
    response = staff_web.post(f"{LIST}/new", {**FULL_SAM, **change})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in html and message in html
    assert 'value="Sam@Studio.test"' in html or field == "email"
    assert count(db_session) == 1


def test_an_email_another_account_uses_is_refused_in_any_case(
    staff_web: WebClient, make: Any, db_session: Session
) -> None:
    make.staff(email="sam@studio.test")

    response = staff_web.post(f"{LIST}/new", {**FULL_SAM, "email": "SAM@studio.TEST"})

    assert response.status_code == 400
    assert "Another staff account already uses this email." in text_of(response)
    assert count(db_session) == 2


def test_an_administrator_changes_an_accounts_levels(
    staff_web: WebClient, make: Any, db_session: Session
) -> None:
    sam = make.staff(email="sam@studio.test", role=StaffRole.STAFF)
    form = staff_web.get(f"{LIST}/{sam.id}").get_data(as_text=True)
    assert '<option selected value="3">Full access</option>' in form

    response = staff_web.post(
        f"{LIST}/{sam.id}",
        {**FULL_SAM, "email": sam.email, "slot_access": "2", "preferences_access": "full"},
    )

    assert response.status_code == 303
    sam = saved(db_session, "sam@studio.test")
    assert (sam.name, sam.slot_access, sam.can_edit_preferences) == ("Sam Assistant", 2, True)


def test_the_last_administrator_cannot_step_down_and_is_told_why(
    staff_web: WebClient, db_session: Session
) -> None:
    me = db_session.scalar(select(Staff))
    assert me is not None

    response = staff_web.post(
        f"{LIST}/{me.id}",
        {**FULL_SAM, "email": me.email, "slot_access": "3", "preferences_access": "full"},
    )

    assert response.status_code == 409
    assert "at least one active administrator" in text_of(response)
    assert 'value="Sam Assistant"' in response.get_data(as_text=True)  # what was typed stays
    assert saved(db_session, me.email).role is StaffRole.ADMINISTRATOR


def test_nobody_can_take_the_last_preferences_access_away(
    staff_web: WebClient, db_session: Session
) -> None:
    me = db_session.scalar(select(Staff))
    assert me is not None

    response = staff_web.post(
        f"{LIST}/{me.id}",
        {**FULL_SAM, "email": me.email, "role": "administrator", "preferences_access": "none"},
    )

    assert response.status_code == 409
    assert "only staff member who can change preferences" in text_of(response)
    assert saved(db_session, me.email).can_edit_preferences is True


def test_a_deactivated_account_is_logged_out_on_its_next_page_and_cannot_log_in(
    staff_web: WebClient, make: Any, app: Any, db_session: Session
) -> None:
    sam = make.staff(email="sam@studio.test")
    sams_browser = WebClient(app)
    assert logged_in(log_in(sams_browser, sam))

    staff_web.post(f"{LIST}/{sam.id}", {**FULL_SAM, "email": sam.email, "active": ""})

    assert saved(db_session, sam.email).active is False
    next_page = sams_browser.get("/admin/clients")
    assert next_page.status_code == 303 and next_page.location.startswith("/admin/login")
    sams_browser.get(next_page.location)  # the session ended: the login page has a new token
    again = log_in(sams_browser, sam)
    assert "That email and password do not match an account." in text_of(again)


def test_an_unknown_account_is_a_404(staff_web: WebClient) -> None:
    assert staff_web.get(f"{LIST}/4242").status_code == 404


@pytest.mark.parametrize(
    ("options", "shown", "hidden"),
    [
        (
            {
                "role": StaffRole.STAFF,
                "slot_access": SlotAccess.NONE,
                "can_edit_preferences": False,
            },
            [],
            ["Time slots", "Preferences", "Staff"],
        ),
        (
            {
                "role": StaffRole.STAFF,
                "slot_access": SlotAccess.MODIFY_OVERRIDABLE,
                "can_edit_preferences": True,
            },
            ["Time slots", "Preferences"],
            ["Staff"],
        ),
        (
            {
                "role": StaffRole.ADMINISTRATOR,
                "slot_access": SlotAccess.NONE,
                "can_edit_preferences": False,
            },
            ["Staff"],
            ["Time slots", "Preferences"],
        ),
    ],
    ids=["no access", "slots and preferences", "administrator only"],
)
def test_the_nav_shows_only_the_sections_a_member_may_use(
    web: WebClient, make: Any, options: dict[str, Any], shown: list[str], hidden: list[str]
) -> None:
    page = log_in(web, make.staff(**options)).get_data(as_text=True)

    nav = page[page.index('aria-label="Admin sections"') : page.index("</nav>")]
    for label in shown:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert f">{label}</a>" not in nav
    assert ">Bookings</a>" in nav


def test_the_home_page_offers_time_slots_only_to_staff_with_access(
    web: WebClient, make: Any
) -> None:
    page = log_in(web, make.staff(slot_access=SlotAccess.NONE, can_edit_preferences=False))

    start = page.get_data(as_text=True).split('id="start-heading"')[1]
    assert "Time slots this week" not in start and "Upcoming bookings" in start


def test_the_empty_bookings_list_links_to_time_slots_only_for_staff_with_access(
    web: WebClient, make: Any
) -> None:
    log_in(web, make.staff(slot_access=SlotAccess.NONE))

    page = web.get("/admin/bookings").get_data(as_text=True)

    assert "No upcoming bookings." in page and 'href="/admin/slots"' not in page
