"""The Time Slots tab (the weekly job's settings, its last runs, Run now), each location's closed
days, the notices on the admin home screen, and the job's CLI command for cron."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import (
    LocationClosure,
    NoticeKind,
    OnlinePreferences,
    OutboxMessage,
    SlotJobRun,
    StaffNotice,
    TimeSlot,
)
from core.services import notices
from core.services.preferences import online_preferences
from tests.conftest import NOW, WebClient
from tests.factories import PASSWORD
from tests.web.helpers import text_of

NY = ZoneInfo("America/New_York")
SOURCE = date(2026, 11, 23)  # NOW's week (NOW is a Monday)
FIRST = date(2026, 11, 30)


def saved(session: Session) -> OnlinePreferences:
    session.expire_all()
    prefs = session.scalar(select(OnlinePreferences))
    assert prefs is not None
    return prefs


def job_form(**changes: Any) -> dict[str, Any]:
    form = {
        "enabled": "y",
        "source_week": "2026-11-25",
        "first_week": "2026-11-30",
        "weekday": "2",
        "skip_booked": "y",
        "notify_staff_id": "",
        "email": "owner@studio.test",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


@pytest.fixture
def set_up_job(db_session: Session, make: Any) -> Any:
    """A template week with two slots at a New York location; the job on for Mondays."""

    def build(**prefs_values: Any) -> Any:
        room = make.resource()
        for day, hour in ((0, 17), (2, 10)):
            start = datetime.combine(SOURCE + timedelta(days=day), time(hour), NY)
            make.slot(start.astimezone(UTC), resource=room)
        prefs = online_preferences(db_session)
        values = {
            "slot_job_enabled": True,
            "slot_job_source_week": SOURCE,
            "slot_job_first_week": FIRST,
            "slot_job_weekday": 0,
            **prefs_values,
        }
        for name, value in values.items():
            setattr(prefs, name, value)
        db_session.add(prefs)
        db_session.commit()
        return room

    return build


# The tab


def test_the_time_slots_tab_saves_the_weekly_job_with_weeks_as_mondays(
    staff_web: WebClient, db_session: Session, make: Any
) -> None:
    manager = make.staff(name="Morgan Manager")

    response = staff_web.post(
        "/admin/preferences/timeslots", job_form(notify_staff_id=str(manager.id))
    )

    assert response.status_code == 303
    prefs = saved(db_session)
    assert prefs.slot_job_enabled
    assert (prefs.slot_job_source_week, prefs.slot_job_first_week) == (SOURCE, FIRST)
    assert prefs.slot_job_weekday == 2
    assert prefs.slot_job_skip_booked and not prefs.slot_job_skip_closed
    assert prefs.slot_job_notify_staff_id == manager.id
    assert prefs.slot_job_email == "owner@studio.test"
    page = text_of(staff_web.get(response.location))
    assert "Time slot job saved. It runs on Wednesdays." in page


def test_the_tab_lists_active_staff_to_notify(staff_web: WebClient, make: Any) -> None:
    make.staff(name="Morgan Manager")
    make.staff(name="Gone Person", active=False)

    page = text_of(staff_web.get("/admin/preferences/timeslots"))

    assert "Morgan Manager" in page and "Gone Person" not in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_week": "2026-11-23"}, "The first week to fill must come after the source week"),
        ({"first_week": ""}, "Choose the first week to fill."),
        ({"source_week": "2026-02-30"}, "Not a valid date value."),
        ({"email": "owner at studio"}, "Enter one email address"),
        ({"email": "a@b.test, c@d.test"}, "Enter one email address"),
        ({"notify_staff_id": "999999"}, "Not a valid choice."),
        ({"weekday": "9"}, "Not a valid choice."),
    ],
)
def test_bad_settings_are_refused_next_to_the_field_and_nothing_is_saved(
    staff_web: WebClient, db_session: Session, changes: dict[str, str], message: str
) -> None:
    response = staff_web.post("/admin/preferences/timeslots", job_form(**changes))

    assert response.status_code == 400
    assert message in text_of(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db_session.scalar(select(OnlinePreferences)) is None


def test_run_now_fills_the_next_week_and_lists_the_run(
    staff_web: WebClient, db_session: Session, set_up_job: Any
) -> None:
    set_up_job(slot_job_weekday=3)  # not today: Run now does not wait for the day

    response = staff_web.post("/admin/preferences/timeslots/run")

    assert response.status_code == 303
    page = text_of(staff_web.get(response.location))
    assert "Created 2 time slots for the week of Nov 30, 2026 (0 skipped)." in page
    assert "Last runs" in page and "Nov 30, 2026 Nov 23, 2026 2 0" in page
    assert db_session.scalar(select(func.count(SlotJobRun.id))) == 1


def test_run_now_twice_the_same_day_says_it_is_done_already(
    staff_web: WebClient, db_session: Session, set_up_job: Any
) -> None:
    set_up_job()
    staff_web.post("/admin/preferences/timeslots/run", follow_redirects=True)

    response = staff_web.post("/admin/preferences/timeslots/run", follow_redirects=True)

    assert "Already done today, for the week of Nov 30, 2026." in text_of(response)
    assert db_session.scalar(select(func.count(TimeSlot.id))) == 4


def test_run_now_shows_a_failure_as_an_error(
    staff_web: WebClient, db_session: Session, set_up_job: Any
) -> None:
    set_up_job(slot_job_source_week=date(2026, 10, 5))  # nothing in that week

    response = staff_web.post("/admin/preferences/timeslots/run", follow_redirects=True)

    html = response.get_data(as_text=True)
    assert 'class="flash flash-error"' in html
    assert "the source week (Oct 5, 2026) has no time slots" in text_of(response)


# Closed days


def test_a_closed_day_is_added_with_its_reason_and_listed(
    staff_web: WebClient, db_session: Session, make: Any
) -> None:
    location = make.location(display_name="Brooklyn")

    response = staff_web.post(
        f"/admin/locations/{location.id}/closures", {"day": "2026-12-25", "reason": "Christmas"}
    )

    assert response.status_code == 303
    page = text_of(staff_web.get(response.location))
    assert "Brooklyn is closed on Dec 25, 2026." in page
    assert "Friday, December 25, 2026 Christmas" in page
    assert "1 closed day ahead" in text_of(staff_web.get("/admin/preferences/timeslots"))


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-12-25", "Brooklyn is already closed on Dec 25, 2026."),
        ("2026-13-01", "Not a valid date value."),
        ("", "Enter the day, for example 2026-12-25."),
        ("2026-11-01", "That day has passed"),
    ],
)
def test_a_bad_or_duplicate_closed_day_is_refused_with_a_message(
    staff_web: WebClient, db_session: Session, make: Any, day: str, message: str
) -> None:
    location = make.location(display_name="Brooklyn")
    db_session.add(LocationClosure(location_id=location.id, day=date(2026, 12, 25)))
    db_session.commit()

    response = staff_web.post(f"/admin/locations/{location.id}/closures", {"day": day})

    assert response.status_code == 400
    assert message in text_of(response)
    assert db_session.scalar(select(func.count(LocationClosure.id))) == 1


def test_a_closed_day_is_removed(staff_web: WebClient, db_session: Session, make: Any) -> None:
    location = make.location(display_name="Brooklyn")
    closure = LocationClosure(location_id=location.id, day=date(2026, 12, 25))
    db_session.add(closure)
    db_session.commit()

    response = staff_web.post(f"/admin/locations/{location.id}/closures/{closure.id}/remove")

    assert response.status_code == 303
    assert "Brooklyn is open again on Dec 25, 2026." in text_of(staff_web.get(response.location))
    assert db_session.scalar(select(func.count(LocationClosure.id))) == 0


def test_removing_a_closed_day_of_another_location_is_not_found(
    staff_web: WebClient, db_session: Session, make: Any
) -> None:
    mine, other = make.location(), make.location()
    closure = LocationClosure(location_id=other.id, day=date(2026, 12, 25))
    db_session.add(closure)
    db_session.commit()

    response = staff_web.post(f"/admin/locations/{mine.id}/closures/{closure.id}/remove")

    assert response.status_code == 404
    assert db_session.scalar(select(func.count(LocationClosure.id))) == 1


def test_an_unknown_location_has_no_closures_page(staff_web: WebClient) -> None:
    assert staff_web.get("/admin/locations/999999/closures").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/preferences/timeslots"),
        ("post", "/admin/preferences/timeslots"),
        ("post", "/admin/preferences/timeslots/run"),
        ("get", "/admin/locations/{location}/closures"),
        ("post", "/admin/locations/{location}/closures"),
    ],
)
def test_staff_without_preferences_access_get_403(
    web: WebClient, make: Any, method: str, path: str
) -> None:
    location = make.location()
    staff = make.staff(can_edit_preferences=False)
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)

    response = getattr(web, method)(path.format(location=location.id))

    assert response.status_code == 403


# Notices on the home screen


def log_in(web: WebClient, staff: Any) -> None:
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)


def notice(session: Session, staff_id: int, title: str, **kw: Any) -> int:
    added = notices.add(
        session, staff_id=staff_id, kind=NoticeKind.SLOT_JOB, title=title, now=NOW, **kw
    )
    session.commit()
    return added.id


def test_the_home_screen_shows_my_unread_notices_with_body_time_and_link(
    web: WebClient, db_session: Session, make: Any
) -> None:
    make.location()
    me, other = make.staff(), make.staff()
    notice(db_session, me.id, "Weekly time slots: 2 created", body="Copied.", link="/admin/slots")
    notice(db_session, me.id, "Weekly time slots failed", body="No slots.", failed=True)
    notice(db_session, other.id, "Not for me")
    log_in(web, me)

    response = web.get("/admin/")

    html, page = response.get_data(as_text=True), text_of(response)
    assert "Notices 2 unread" in page
    assert "Weekly time slots: 2 created" in page and "Copied." in page
    assert "Mon, Nov 23, 2026, 10:00 AM EST" in page.replace("\u202f", " ")
    assert 'href="/admin/slots"' in html
    assert 'class="notice notice-error"' in html  # a list item: role=alert would break the list
    assert "Error: Weekly time slots failed" in page
    assert "Not for me" not in page


def test_marking_a_notice_read_removes_it_from_the_home_screen(
    web: WebClient, db_session: Session, make: Any
) -> None:
    me = make.staff()
    first = notice(db_session, me.id, "First notice")
    notice(db_session, me.id, "Second notice")
    log_in(web, me)
    web.get("/admin/")

    response = web.post(f"/admin/notices/{first}/read")

    assert response.status_code == 303
    page = text_of(web.get("/admin/"))
    assert "First notice" not in page and "Second notice" in page


def test_mark_all_read_empties_the_home_screen(
    web: WebClient, db_session: Session, make: Any
) -> None:
    me = make.staff()
    notice(db_session, me.id, "First notice")
    notice(db_session, me.id, "Second notice")
    log_in(web, me)
    web.get("/admin/")

    response = web.post("/admin/notices/read", follow_redirects=True)

    page = text_of(response)
    assert "2 notices marked read." in page and "No new notices." in page


def test_nobody_marks_another_staff_members_notice_read(
    web: WebClient, db_session: Session, make: Any
) -> None:
    me, other = make.staff(), make.staff()
    theirs = notice(db_session, other.id, "Theirs")
    log_in(web, me)
    web.get("/admin/")

    assert web.post(f"/admin/notices/{theirs}/read").status_code == 404
    db_session.expire_all()
    assert db_session.get(StaffNotice, theirs).read_at is None


def test_the_job_notice_reaches_the_chosen_staff_members_home_screen(
    app: Any, web: WebClient, db_session: Session, make: Any, set_up_job: Any
) -> None:
    manager = make.staff(name="Morgan Manager")
    set_up_job(slot_job_notify_staff_id=manager.id)
    assert app.test_cli_runner().invoke(args=["timeslots", "run-weekly"]).exit_code == 0
    log_in(web, manager)

    response = web.get("/admin/")

    page = text_of(response)
    assert "Weekly time slots: 2 created for the week of Nov 30, 2026" in page
    assert 'href="/admin/slots?week=2026-11-30"' in response.get_data(as_text=True)


# The CLI command


def test_the_cli_command_runs_the_job_on_its_day(
    app: Any, db_session: Session, set_up_job: Any
) -> None:
    set_up_job(slot_job_email="owner@studio.test")

    result = app.test_cli_runner().invoke(args=["timeslots", "run-weekly"])

    assert result.exit_code == 0, result.output
    assert "Created 2 time slots for the week of Nov 30, 2026 (0 skipped)." in result.output
    assert db_session.scalar(select(func.count(SlotJobRun.id))) == 1
    mail = db_session.scalars(select(OutboxMessage)).one()
    assert mail.to_address == "owner@studio.test"
    assert mail.subject == "Weekly time slots: 2 created for the week of Nov 30, 2026"
    assert "Copied from the week of Nov 23, 2026." in mail.text_body
    assert "Copied from the week of Nov 23, 2026." in mail.html_body


def test_the_cli_command_does_nothing_on_another_day(app: Any, set_up_job: Any) -> None:
    set_up_job()

    result = app.test_cli_runner().invoke(args=["timeslots", "run-weekly", "--today", "2026-11-24"])

    assert result.exit_code == 0
    assert "Nothing to do today: the job runs on Mondays." in result.output


def test_the_cli_command_forced_runs_on_any_day(app: Any, set_up_job: Any) -> None:
    set_up_job(slot_job_weekday=4)

    result = app.test_cli_runner().invoke(args=["timeslots", "run-weekly", "--force"])

    assert result.exit_code == 0
    assert "Created 2 time slots" in result.output


def test_the_cli_command_exits_1_when_the_job_fails(app: Any, set_up_job: Any) -> None:
    set_up_job(slot_job_source_week=date(2026, 10, 5))

    result = app.test_cli_runner().invoke(args=["timeslots", "run-weekly"])

    assert result.exit_code == 1
    assert "has no time slots" in result.output


def test_the_cli_command_refuses_a_bad_date(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["timeslots", "run-weekly", "--today", "monday"])

    assert result.exit_code == 2
    assert "Invalid value for '--today'" in result.output
