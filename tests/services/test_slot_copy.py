"""Copying a week or a day of slots, and slots from a pattern: what is created, what is skipped
and why, local times across daylight saving changes, and no slot made twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import BookedVia, Booking, LocationClosure, TimeSlot
from core.services import slot_copy
from core.services.slot_copy import BOOKED, CLOSED, EXISTS, NO_SUCH_TIME, PAST, InvalidCopy
from tests.conftest import NOW

NY = ZoneInfo("America/New_York")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), NY).astimezone(UTC)


def local_starts(session: Session, first: date, last: date) -> list[tuple[date, time]]:
    rows = session.scalars(select(TimeSlot.start_at).order_by(TimeSlot.start_at))
    found = [(s.astimezone(NY).date(), s.astimezone(NY).time()) for s in rows]
    return [(d, t) for d, t in found if first <= d <= last]


def copy(session: Session, source: date, targets: list[date], **kw: Any) -> slot_copy.Created:
    plan = slot_copy.plan_copy(
        session,
        source_first_day=source,
        source_days=kw.pop("days", 7),
        target_first_days=targets,
        now=kw.pop("now", NOW),
        **kw,
    )
    created = slot_copy.create_planned(session, plan)
    session.commit()
    return created


SOURCE = date(2026, 12, 7)  # a Monday


def test_a_week_is_copied_to_several_weeks_with_its_types_and_flags(
    session: Session, make: Any
) -> None:
    portrait, pets = make.service_type(), make.service_type()
    room = make.resource()
    make.slot(local(SOURCE, 10), resource=room, service_types=[portrait, pets], overridable=True)
    make.slot(local(SOURCE + timedelta(days=4), 15), resource=room, service_types=[pets])
    make.slot(
        local(SOURCE + timedelta(days=7), 9), resource=room, service_types=[pets]
    )  # next week

    created = copy(session, SOURCE, [SOURCE + timedelta(weeks=2), SOURCE + timedelta(weeks=3)])

    assert (created.created, created.skipped) == (4, 0)
    copied = session.scalars(
        select(TimeSlot).where(TimeSlot.start_at >= local(SOURCE + timedelta(weeks=2), 0))
    ).all()
    by_start = {s.start_at.astimezone(NY).replace(tzinfo=None): s for s in copied}
    monday = by_start[datetime(2026, 12, 21, 10)]
    assert {t.id for t in monday.service_types} == {portrait.id, pets.id}
    assert monday.overridable and monday.resource_id == room.id
    assert not by_start[datetime(2026, 12, 25, 15)].overridable
    assert datetime(2027, 1, 1, 15) in by_start


def test_copying_across_the_end_of_daylight_saving_keeps_the_wall_clock_time(
    session: Session, make: Any
) -> None:
    room = make.resource()
    before = date(2027, 10, 25)  # clocks go back on Sunday 7 November 2027
    for day in range(7):
        make.slot(local(before + timedelta(days=day), 9, 30), resource=room)

    copy(session, before, [before + timedelta(weeks=2)])

    after = local_starts(session, date(2027, 11, 8), date(2027, 11, 14))
    assert after == [(date(2027, 11, 8) + timedelta(days=d), time(9, 30)) for d in range(7)]
    utc_hours = {s.hour for s in session.scalars(select(TimeSlot.start_at))}
    assert utc_hours == {13, 14}  # 09:30 EDT is 13:30Z, 09:30 EST is 14:30Z


def test_a_time_the_clocks_skip_is_skipped_and_said(session: Session, make: Any) -> None:
    room = make.resource()
    sunday = date(2027, 3, 7)  # clocks go forward at 02:00 on 14 March 2027
    make.slot(local(sunday, 2, 30), resource=room)
    make.slot(local(sunday, 10), resource=room)

    plan = slot_copy.plan_copy(
        session,
        source_first_day=sunday,
        source_days=1,
        target_first_days=[sunday + timedelta(weeks=1)],
        now=NOW,
    )

    assert [(s.start, r) for s, r in plan.skip] == [(time(2, 30), NO_SUCH_TIME)]
    assert [s.start for s in plan.create] == [time(10)]


def test_skips_say_why_existing_booked_closed_and_past(session: Session, make: Any) -> None:
    room = make.resource()
    target = SOURCE + timedelta(weeks=1)
    for hour in (7, 9, 11, 15):
        make.slot(local(SOURCE, hour), resource=room)
    make.slot(local(SOURCE + timedelta(days=1), 9), resource=room)
    make.slot(local(target, 9), resource=room)  # identical slot exists already
    longer = make.slot(local(target, 10, 30), resource=room, minutes=90)  # overlaps 11:00
    session.add(
        Booking(
            client_id=make.client().id,
            slot_id=longer.id,
            service_type_id=longer.service_types[0].id,
            booked_via=BookedVia.STAFF,
            created_at=NOW,
        )
    )
    session.add(LocationClosure(location_id=room.location_id, day=target + timedelta(days=1)))
    session.commit()
    late = local(target, 8)

    plan = slot_copy.plan_copy(
        session, source_first_day=SOURCE, source_days=7, target_first_days=[target], now=late
    )

    reasons = {(s.day.weekday(), s.start.hour): r for s, r in plan.skip}
    assert reasons == {(0, 7): PAST, (0, 9): EXISTS, (0, 11): BOOKED, (1, 9): CLOSED}
    assert [(s.day, s.start) for s in plan.create] == [(target, time(15))]
    assert plan.skipped_by_reason() == {EXISTS: 1, BOOKED: 1, PAST: 1, CLOSED: 1}

    everything = slot_copy.plan_copy(
        session,
        source_first_day=SOURCE,
        source_days=7,
        target_first_days=[target],
        skip_booked=False,
        skip_closed=False,
        now=NOW,
    )
    assert everything.skipped_by_reason() == {EXISTS: 1}


def test_copying_the_same_week_twice_creates_nothing_twice(session: Session, make: Any) -> None:
    room = make.resource()
    for hour in (9, 10, 11):
        make.slot(local(SOURCE, hour), resource=room)
    targets = [SOURCE + timedelta(weeks=1)]
    stale = slot_copy.plan_copy(
        session, source_first_day=SOURCE, source_days=7, target_first_days=targets, now=NOW
    )

    first = copy(session, SOURCE, targets)
    second = slot_copy.create_planned(session, stale)  # planned before the first run landed
    session.commit()

    assert (first.created, second.created, second.skipped) == (3, 0, 3)
    assert second.skipped_by_reason == {EXISTS: 3}
    assert session.scalar(select(func.count(TimeSlot.id))) == 6
    assert copy(session, SOURCE, targets).skipped_by_reason == {EXISTS: 3}


def test_a_day_can_be_copied_to_other_days(session: Session, make: Any) -> None:
    room = make.resource()
    make.slot(local(SOURCE, 9), resource=room)
    make.slot(local(SOURCE + timedelta(days=1), 9), resource=room)

    created = copy(
        session, SOURCE, [SOURCE + timedelta(days=2), SOURCE + timedelta(days=3)], days=1
    )

    assert created.created == 2
    assert local_starts(session, SOURCE + timedelta(days=2), SOURCE + timedelta(days=3)) == [
        (SOURCE + timedelta(days=2), time(9)),
        (SOURCE + timedelta(days=3), time(9)),
    ]


@pytest.mark.parametrize(
    ("days", "targets", "message"),
    [
        (7, [], "Choose at least one week"),
        (7, [SOURCE + timedelta(days=3)], "cannot overlap"),
        (7, [SOURCE], "cannot overlap"),
        (3, [SOURCE + timedelta(weeks=1)], "a week or a single day"),
        (7, [SOURCE + timedelta(weeks=w) for w in range(1, 200)], "at most 104 weeks"),
    ],
)
def test_impossible_copies_are_refused(
    session: Session, days: int, targets: list[date], message: str
) -> None:
    with pytest.raises(InvalidCopy, match=message):
        slot_copy.plan_copy(
            session, source_first_day=SOURCE, source_days=days, target_first_days=targets, now=NOW
        )


def test_a_pattern_makes_slots_every_n_minutes_on_chosen_days(session: Session, make: Any) -> None:
    portrait = make.service_type()
    room = make.resource()

    plan = slot_copy.plan_pattern(
        session,
        resource_id=room.id,
        first_day=SOURCE,
        last_day=SOURCE + timedelta(days=13),
        weekdays=[0, 2],
        from_time=time(9),
        to_time=time(12),
        every_minutes=45,
        duration_minutes=60,
        service_type_ids=[portrait.id],
        now=NOW,
    )
    created = slot_copy.create_planned(session, plan)
    session.commit()

    # 09:00, 09:45, 10:30 (11:15 would end after 12:00) on 2 Mondays and 2 Wednesdays.
    assert created.created == 12
    monday = local_starts(session, SOURCE, SOURCE)
    assert monday == [(SOURCE, time(9)), (SOURCE, time(9, 45)), (SOURCE, time(10, 30))]
    assert {d.weekday() for d, _ in local_starts(session, SOURCE, SOURCE + timedelta(days=13))} == {
        0,
        2,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weekdays": []}, "at least one day"),
        ({"to_time": time(9, 20)}, "shorter than one slot"),
        ({"every_minutes": 0}, "at least 5 minutes"),
        ({"last_day": SOURCE - timedelta(days=1)}, "before the first day"),
        ({"service_type_ids": []}, "at least one session"),
    ],
)
def test_impossible_patterns_are_refused(
    session: Session, make: Any, change: dict[str, Any], message: str
) -> None:
    room = make.resource()
    arguments: dict[str, Any] = {
        "resource_id": room.id,
        "first_day": SOURCE,
        "last_day": SOURCE,
        "weekdays": [0],
        "from_time": time(9),
        "to_time": time(17),
        "every_minutes": 30,
        "duration_minutes": 30,
        "service_type_ids": [make.service_type().id],
        "now": NOW,
    }
    with pytest.raises(InvalidCopy, match=message):
        slot_copy.plan_pattern(session, **{**arguments, **change})


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    hour=st.integers(min_value=0, max_value=23),
    minute=st.sampled_from([0, 15, 30, 45]),
    weeks=st.integers(min_value=1, max_value=60),
)
def test_a_copied_slot_keeps_its_local_time_or_is_skipped_for_a_dst_gap(
    session: Session, make: Any, hour: int, minute: int, weeks: int
) -> None:
    source = date(2026, 12, 6)  # a Sunday: DST changes happen on Sundays in New York
    start = local(source, hour, minute)
    slot = session.scalar(select(TimeSlot).where(TimeSlot.start_at == start))
    if slot is None:
        make.slot(start)

    plan = slot_copy.plan_copy(
        session,
        source_first_day=source,
        source_days=1,
        target_first_days=[source + timedelta(weeks=weeks)],
        now=NOW,
    )

    mine = [(new, None) for new in plan.create] + plan.skip
    mine = [(new, reason) for new, reason in mine if new.start == time(hour, minute)]
    assert len(mine) == 1  # slots of earlier examples are in the source day too
    new, reason = mine[0]
    if reason is not None:
        assert reason == NO_SUCH_TIME
    else:
        assert new.start_at.astimezone(NY).time() == new.start
        assert new.start_at.astimezone(NY).date() == source + timedelta(weeks=weeks)
        assert new.end_at - new.start_at == timedelta(hours=1)
