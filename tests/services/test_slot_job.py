"""The weekly time slot job: runs on its day only, copies the source week into the next week not
filled, records it, tells the chosen staff member and address, and never fills a week twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import (
    BookedVia,
    Booking,
    LocationClosure,
    NoticeKind,
    OutboxMessage,
    SlotJobRun,
    StaffNotice,
    TimeSlot,
)
from core.services import slot_job
from core.services.preferences import online_preferences
from core.services.slot_copy import BOOKED, CLOSED, create_planned
from core.services.slot_job import Outcome
from tests.concurrency import race, racing_engine_for
from tests.conftest import NOW

NY = ZoneInfo("America/New_York")
TODAY = date(2026, 11, 23)  # a Monday, NOW's day
SOURCE = TODAY  # this week holds the template slots
FIRST = date(2026, 11, 30)  # the first week to fill


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), NY).astimezone(UTC)


def slots_in_week(session: Session, monday: date) -> int:
    start, end = local(monday, 0), local(monday + timedelta(days=7), 0)
    stmt = select(func.count(TimeSlot.id)).where(
        TimeSlot.start_at >= start, TimeSlot.start_at < end
    )
    return session.scalar(stmt) or 0


@pytest.fixture
def job(session: Session, make: Any) -> Any:
    """A studio whose template week has three slots in one room, the job on for Mondays,
    telling a staff member and an address."""
    room = make.resource()
    for day, hour in ((0, 17), (1, 10), (3, 15)):
        make.slot(local(SOURCE + timedelta(days=day), hour), resource=room)
    staff = make.staff(name="Dana Manager")
    prefs = online_preferences(session)
    prefs.slot_job_enabled = True
    prefs.slot_job_source_week = SOURCE
    prefs.slot_job_first_week = FIRST
    prefs.slot_job_weekday = 0
    prefs.slot_job_notify_staff_id = staff.id
    prefs.slot_job_email = "owner@studio.test"
    session.add(prefs)
    session.commit()
    return SimpleNamespace(prefs=prefs, room=room, staff=staff)


def run(session: Session, today: date = TODAY, **kw: Any) -> slot_job.JobResult:
    now = kw.pop("now", NOW + (today - TODAY))
    return slot_job.run_weekly(session, today=today, now=now, **kw)


def notices_of(session: Session, staff_id: int) -> list[StaffNotice]:
    stmt = select(StaffNotice).where(StaffNotice.staff_id == staff_id).order_by(StaffNotice.id)
    return list(session.scalars(stmt))


def test_on_another_day_the_job_does_nothing(session: Session, job: Any) -> None:
    result = run(session, TODAY + timedelta(days=1))

    assert result.outcome is Outcome.NOT_TODAY
    assert "runs on Mondays" in result.message
    assert slots_in_week(session, FIRST) == 0
    assert session.scalar(select(func.count(SlotJobRun.id))) == 0
    assert notices_of(session, job.staff.id) == []


def test_forced_the_job_runs_on_any_day(session: Session, job: Any) -> None:
    result = run(session, TODAY + timedelta(days=1), force=True)

    assert result.outcome is Outcome.DONE
    assert slots_in_week(session, FIRST) == 3


@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        ({"slot_job_enabled": False}, Outcome.DISABLED),
        ({"slot_job_source_week": None}, Outcome.NOT_SET_UP),
    ],
)
def test_a_job_turned_off_or_not_set_up_does_nothing(
    session: Session, job: Any, change: dict[str, Any], outcome: Outcome
) -> None:
    for name, value in change.items():
        setattr(job.prefs, name, value)
    session.commit()

    assert run(session, force=True).outcome is outcome
    assert slots_in_week(session, FIRST) == 0


def test_on_its_day_the_source_week_is_copied_into_the_first_week_and_recorded(
    session: Session, job: Any
) -> None:
    result = run(session)

    assert (result.outcome, result.week, result.created, result.skipped) == (
        Outcome.DONE,
        FIRST,
        3,
        0,
    )
    assert slots_in_week(session, FIRST) == 3
    recorded = session.scalars(select(SlotJobRun)).one()
    assert (recorded.week_start, recorded.source_week, recorded.created) == (FIRST, SOURCE, 3)


def test_the_chosen_staff_member_gets_a_notice_and_the_address_a_mail(
    session: Session, job: Any
) -> None:
    run(session)

    (notice,) = notices_of(session, job.staff.id)
    assert notice.kind is NoticeKind.SLOT_JOB and not notice.failed
    assert notice.title == "Weekly time slots: 3 created for the week of Nov 30, 2026"
    assert "Copied from the week of Nov 23, 2026" in notice.body
    mail = session.scalars(select(OutboxMessage)).one()
    assert mail.to_address == "owner@studio.test"
    assert mail.subject == notice.title
    assert "Created 3 time slots for the week of Nov 30, 2026" in mail.text_body


def test_a_second_run_the_same_day_creates_nothing(session: Session, job: Any) -> None:
    run(session)

    again = run(session, force=True)

    assert again.outcome is Outcome.ALREADY_DONE
    assert again.message == "Already done today, for the week of Nov 30, 2026."
    assert slots_in_week(session, FIRST) == 3
    assert slots_in_week(session, FIRST + timedelta(weeks=1)) == 0
    assert len(notices_of(session, job.staff.id)) == 1


def test_a_week_later_the_job_fills_the_following_week(session: Session, job: Any) -> None:
    run(session)

    later = run(session, TODAY + timedelta(weeks=1))

    assert (later.outcome, later.week, later.created) == (
        Outcome.DONE,
        FIRST + timedelta(weeks=1),
        3,
    )
    assert slots_in_week(session, FIRST) == 3


def test_a_run_that_loses_the_week_to_another_rolls_its_slots_back(
    session: Session, job: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another host recorded the week between this run's reading and its insert.
    session.add(
        SlotJobRun(
            week_start=FIRST,
            source_week=SOURCE,
            created=0,
            skipped=0,
            ran_at=NOW - timedelta(days=1),
        )
    )
    session.commit()
    monkeypatch.setattr(slot_job, "target_week", lambda done, **kw: (FIRST, ""))

    result = run(session)

    assert result.outcome is Outcome.ALREADY_DONE
    assert "Already done for the week of Nov 30, 2026" in result.message
    assert slots_in_week(session, FIRST) == 0
    assert notices_of(session, job.staff.id) == []


def test_a_first_week_that_has_started_is_left_out_for_the_next_one(
    session: Session, job: Any, make: Any
) -> None:
    job.prefs.slot_job_source_week = date(2026, 11, 2)
    job.prefs.slot_job_first_week = date(2026, 11, 9)
    session.commit()
    make.slot(local(date(2026, 11, 3), 10), resource=job.room)

    result = run(session)

    assert (result.outcome, result.week) == (Outcome.DONE, FIRST)
    assert "The week of Nov 9, 2026 had already started" in result.note
    assert (
        "The week of Nov 9, 2026 had already started" in notices_of(session, job.staff.id)[0].body
    )


def test_the_skip_options_leave_out_booked_times_and_closed_days(
    session: Session, job: Any, make: Any
) -> None:
    taken = make.slot(local(FIRST + timedelta(days=1), 9, 30), resource=job.room)  # over 10:00
    session.add(
        Booking(
            client_id=make.client().id,
            slot_id=taken.id,
            service_type_id=taken.service_types[0].id,
            booked_via=BookedVia.STAFF,
            created_at=NOW,
        )
    )
    session.add(LocationClosure(location_id=job.room.location_id, day=FIRST + timedelta(days=3)))
    session.commit()

    result = run(session)

    assert (result.created, result.skipped) == (1, 2)
    assert result.skipped_by_reason == {BOOKED: 1, CLOSED: 1}
    body = notices_of(session, job.staff.id)[0].body
    assert f"Skipped 1: {BOOKED}." in body and f"Skipped 1: {CLOSED}." in body


def test_with_the_skip_options_off_booked_times_and_closed_days_get_slots(
    session: Session, job: Any, make: Any
) -> None:
    taken = make.slot(local(FIRST + timedelta(days=1), 9, 30), resource=job.room)
    session.add(
        Booking(
            client_id=make.client().id,
            slot_id=taken.id,
            service_type_id=taken.service_types[0].id,
            booked_via=BookedVia.STAFF,
            created_at=NOW,
        )
    )
    session.add(LocationClosure(location_id=job.room.location_id, day=FIRST + timedelta(days=3)))
    job.prefs.slot_job_skip_booked = job.prefs.slot_job_skip_closed = False
    session.commit()

    result = run(session)

    assert (result.created, result.skipped) == (3, 0)


def test_a_failure_is_reported_to_the_staff_member_and_the_address(
    session: Session, job: Any
) -> None:
    job.prefs.slot_job_source_week = date(2026, 10, 5)  # a week without slots
    session.commit()

    result = run(session)

    assert result.outcome is Outcome.FAILED
    assert "the source week (Oct 5, 2026) has no time slots" in result.message
    assert session.scalar(select(func.count(SlotJobRun.id))) == 0
    (notice,) = notices_of(session, job.staff.id)
    assert notice.failed
    assert notice.title == "Weekly time slots failed for the week of Nov 30, 2026"
    mail = session.scalars(select(OutboxMessage)).one()
    assert mail.subject == notice.title and "has no time slots" in mail.text_body


def test_a_failure_after_the_slots_are_inserted_leaves_none_behind_and_says_what_broke(
    session: Session, job: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def insert_then_fail(s: Session, plan: Any, **options: Any) -> Any:
        create_planned(s, plan, **options)
        raise RuntimeError("disk full")

    monkeypatch.setattr(slot_job, "create_planned", insert_then_fail)

    result = run(session)

    assert result.outcome is Outcome.FAILED
    assert slots_in_week(session, FIRST) == 0
    (notice,) = notices_of(session, job.staff.id)
    assert notice.failed and "disk full" in notice.body


THREADS = 6


@pytest.fixture
def racing_engine(database_url: str, clean_db: Engine) -> Iterator[Engine]:
    engine = racing_engine_for(database_url, THREADS)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_runs_at_once_on_several_hosts_fill_the_week_exactly_once(
    session: Session, job: Any, racing_engine: Engine
) -> None:
    results: list[slot_job.JobResult] = []

    outcomes = race(
        racing_engine,
        lambda s, n: results.append(run(s, force=True)),
        threads=THREADS,
    )

    assert outcomes == {"won": THREADS}
    assert [r.outcome for r in results].count(Outcome.DONE) == 1
    assert all(r.outcome in (Outcome.DONE, Outcome.ALREADY_DONE) for r in results)
    session.expire_all()
    assert slots_in_week(session, FIRST) == 3
    assert session.scalar(select(func.count(SlotJobRun.id))) == 1
    assert len(notices_of(session, job.staff.id)) == 1
