"""Staff copy a week or a day of slots, or create slots from a pattern: a preview that writes
nothing, then "Create" that makes exactly what was previewed, once."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.models import LocationClosure, SlotAccess, TimeSlot
from tests.conftest import WebClient
from tests.factories import PASSWORD
from tests.web.helpers import text_of

NY = ZoneInfo("America/New_York")
SOURCE = date(2026, 12, 7)  # a Monday, two weeks after the tests' NOW


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), NY).astimezone(UTC)


@pytest.fixture
def room(make: Any) -> Any:
    return make.resource(make.location(display_name="Brooklyn", timezone="America/New_York"))


@pytest.fixture
def week(make: Any, room: Any) -> Any:
    """Three slots in the source week: Monday 10:00, Monday 14:00, Friday 09:30."""
    portrait = make.service_type(online_name="Family portrait")
    for start in (local(SOURCE, 10), local(SOURCE, 14), local(SOURCE + timedelta(days=4), 9, 30)):
        make.slot(start, resource=room, service_types=[portrait])
    return room


def copy_form(room: Any, **changes: Any) -> dict[str, Any]:
    values = {
        "what": "week",
        "source": SOURCE.isoformat(),
        "locations": [str(room.location_id)],
        "target": (SOURCE + timedelta(weeks=1)).isoformat(),
        "count": "2",
        "every": "week",
        "skip_booked": "y",
        "skip_closed": "y",
    }
    return {**values, **changes}


def confirm_form(preview: Any) -> dict[str, list[str]]:
    """The hidden fields of the preview's "Create N slots" form, as the browser would send them."""
    page = preview.get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="(/admin/slots/copy[^"]*create)".*?</form>', page, re.S
    )
    assert form, "the preview has no Create form"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)):
        if name != "csrf_token":
            fields.setdefault(name, []).append(html.unescape(value))
    return fields


def local_starts(db_session: Any) -> list[datetime]:
    db_session.expire_all()
    starts = db_session.scalars(select(TimeSlot.start_at).order_by(TimeSlot.start_at))
    return [s.astimezone(NY).replace(tzinfo=None) for s in starts]


def test_the_preview_counts_what_would_be_created_and_why_others_are_skipped(
    staff_web: WebClient, week: Any, make: Any, db_session: Any
) -> None:
    make.slot(local(SOURCE + timedelta(weeks=1), 10), resource=week)  # already there
    make._save(LocationClosure(location_id=week.location_id, day=SOURCE + timedelta(days=18)))

    response = staff_web.post("/admin/slots/copy", copy_form(week))

    assert response.status_code == 200
    page = text_of(response)
    assert "4 slots to create · 2 skipped" in page
    assert "Create 4 slots" in page
    assert "1 · A slot already exists at that time" in page
    assert "1 · The location is closed that day" in page
    assert "Dec 14 – 20, 2026 · 2 slots" in page and "Dec 21 – 27, 2026 · 2 slots" in page
    assert "Mon, Dec 21, 2026 10:00 AM EST · 60 min" in page
    assert len(local_starts(db_session)) == 4  # three in the source week and the one there


def test_create_makes_exactly_the_previewed_slots_and_shows_the_first_week(
    staff_web: WebClient, week: Any, db_session: Any
) -> None:
    preview = staff_web.post("/admin/slots/copy", copy_form(week))

    response = staff_web.post("/admin/slots/copy/create", confirm_form(preview))

    assert response.status_code == 303
    assert response.location == f"/admin/slots?location={week.location_id}&week=2026-12-14"
    copied = [s for s in local_starts(db_session) if s.date() >= date(2026, 12, 14)]
    assert copied == [
        datetime(2026, 12, 14, 10),
        datetime(2026, 12, 14, 14),
        datetime(2026, 12, 18, 9, 30),
        datetime(2026, 12, 21, 10),
        datetime(2026, 12, 21, 14),
        datetime(2026, 12, 25, 9, 30),
    ]
    calendar = text_of(staff_web.get(response.location))
    assert "Created 6 slots; skipped 0." in calendar


def test_creating_the_same_copy_again_creates_nothing_and_says_the_slots_exist(
    staff_web: WebClient, week: Any, db_session: Any
) -> None:
    preview = staff_web.post("/admin/slots/copy", copy_form(week))
    confirm = confirm_form(preview)
    staff_web.post("/admin/slots/copy/create", confirm)
    staff_web.get("/admin/slots/copy")

    response = staff_web.post("/admin/slots/copy/create", confirm)

    assert response.status_code == 303
    assert len(local_starts(db_session)) == 9
    calendar = text_of(staff_web.get(response.location))
    assert "Created 0 slots; skipped 6 (a slot already exists at that time: 6)." in calendar


def test_a_week_copied_across_the_end_of_daylight_saving_keeps_its_local_times(
    staff_web: WebClient, room: Any, make: Any, db_session: Any
) -> None:
    before = date(2027, 10, 25)  # clocks go back on Sunday 7 November 2027
    make.slot(local(before, 9, 30), resource=room)
    make.slot(local(before + timedelta(days=6), 18), resource=room)
    form = copy_form(room, source="2027-10-27", target="2027-11-10", count="1")

    preview = staff_web.post("/admin/slots/copy", form)

    page = text_of(preview)
    assert "Mon, Nov 8, 2027 9:30 AM EST" in page and "Sun, Nov 14, 2027 6:00 PM EST" in page
    staff_web.post("/admin/slots/copy/create", confirm_form(preview))
    assert local_starts(db_session)[2:] == [
        datetime(2027, 11, 8, 9, 30),
        datetime(2027, 11, 14, 18),
    ]


def test_one_day_is_copied_to_the_following_days(
    staff_web: WebClient, week: Any, db_session: Any
) -> None:
    form = copy_form(week, what="day", target="2026-12-08", count="3", every="day")

    preview = staff_web.post("/admin/slots/copy", form)
    staff_web.post("/admin/slots/copy/create", confirm_form(preview))

    copied = [
        s
        for s in local_starts(db_session)
        if date(2026, 12, 8) <= s.date() <= SOURCE + timedelta(days=3)
    ]
    assert [(s.day, s.hour) for s in copied] == [
        (8, 10),
        (8, 14),
        (9, 10),
        (9, 14),
        (10, 10),
        (10, 14),
    ]


def test_the_htmx_preview_is_only_the_tools_part(staff_web: WebClient, week: Any) -> None:
    staff_web.get("/admin/slots/copy")
    response = staff_web.post(
        "/admin/slots/copy",
        copy_form(week),
        headers={"HX-Request": "true", "HX-Target": "slot-copy"},
    )

    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="slot-copy"')
    assert "6 slots to create" in text_of(response)


def test_the_form_starts_with_this_week_next_week_and_every_location(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    other = make.location(display_name="London", timezone="Europe/London")

    page = staff_web.get("/admin/slots/copy").get_data(as_text=True)

    assert re.search(r'name="source"[^>]*value="2026-11-23"', page)  # NOW's Monday
    assert re.search(r'name="target"[^>]*value="2026-11-30"', page)
    for location_id in (room.location_id, other.id):
        assert re.search(
            rf'checked[^>]*value="{location_id}"|value="{location_id}"[^>]*checked', page
        )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"source": ""}, "source", "Enter the day to copy from."),
        ({"source": "07/12/2026"}, "source", "Not a valid date value."),
        ({"count": "0"}, "count", "Enter 1 to 104."),
        ({"count": "many"}, "count", "Not a valid integer value."),
        ({"locations": []}, "locations", "Choose at least one location."),
        ({"locations": ["999"]}, "locations", "not a valid choice"),
        ({"target": "2026-12-09"}, None, "cannot overlap the days copied from"),
    ],
)
def test_bad_copy_input_is_a_400_with_the_message_next_to_the_field(
    staff_web: WebClient,
    week: Any,
    db_session: Any,
    changes: dict[str, Any],
    field: str | None,
    message: str,
) -> None:
    response = staff_web.post("/admin/slots/copy/create", copy_form(week, **changes))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    if field:
        assert f'id="{field}-error"' in page
    assert message in html.unescape(page)
    assert len(local_starts(db_session)) == 3


def pattern_form(room: Any, types: list[Any], **changes: Any) -> dict[str, Any]:
    values = {
        "resource": str(room.id),
        "first_day": "2026-12-07",
        "last_day": "2026-12-13",
        "weekdays": ["0", "2"],
        "from_time": "09:00",
        "to_time": "12:00",
        "every_minutes": "60",
        "duration_minutes": "",
        "service_types": [str(t.id) for t in types],
        "skip_booked": "y",
        "skip_closed": "y",
    }
    return {**values, **changes}


def test_a_pattern_creates_slots_on_the_chosen_days_lasting_the_first_types_duration(
    staff_web: WebClient, room: Any, make: Any, db_session: Any
) -> None:
    types = [make.service_type(duration_minutes=45), make.service_type(duration_minutes=90)]
    preview = staff_web.post("/admin/slots/copy/pattern", pattern_form(room, types))
    assert "6 slots to create Create 6 slots" in text_of(preview)

    response = staff_web.post("/admin/slots/copy/pattern/create", confirm_form(preview))

    assert response.location == f"/admin/slots?location={room.location_id}&week=2026-12-07"
    db_session.expire_all()
    slots = db_session.scalars(select(TimeSlot).order_by(TimeSlot.start_at)).all()
    assert [s.start_at.astimezone(NY).strftime("%a %H:%M") for s in slots] == [
        "Mon 09:00",
        "Mon 10:00",
        "Mon 11:00",
        "Wed 09:00",
        "Wed 10:00",
        "Wed 11:00",
    ]
    assert {s.end_at - s.start_at for s in slots} == {timedelta(minutes=45)}
    assert {len(s.service_types) for s in slots} == {2}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"last_day": "2026-12-01"}, "last_day"),
        ({"to_time": "08:00"}, "to_time"),
        ({"weekdays": []}, "weekdays"),
        ({"every_minutes": "2"}, "every_minutes"),
        ({"service_types": []}, "service_types"),
        ({"resource": "999"}, "resource"),
    ],
)
def test_bad_pattern_input_is_a_400_next_to_the_field(
    staff_web: WebClient, room: Any, make: Any, changes: dict[str, Any], field: str
) -> None:
    form = pattern_form(room, [make.service_type()], **changes)

    response = staff_web.post("/admin/slots/copy/pattern", form)

    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_hours_too_short_for_one_slot_are_a_400_with_the_reason(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    form = pattern_form(room, [make.service_type()], to_time="09:30")

    response = staff_web.post("/admin/slots/copy/pattern", form)

    assert response.status_code == 400
    assert "The hours are shorter than one slot." in text_of(response)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/slots/copy"),
        ("post", "/admin/slots/copy"),
        ("post", "/admin/slots/copy/create"),
        ("get", "/admin/slots/copy/pattern"),
        ("post", "/admin/slots/copy/pattern/create"),
    ],
)
def test_staff_who_may_only_modify_overridable_slots_cannot_copy(
    web: WebClient, week: Any, make: Any, db_session: Any, method: str, url: str
) -> None:
    staff = make.staff(slot_access=SlotAccess.MODIFY_OVERRIDABLE)
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)

    if method == "get":
        response = web.get(url)
    else:
        data = copy_form(week) if "pattern" not in url else pattern_form(week, [])
        response = web.post(url, data)

    assert response.status_code == 403
    assert "cannot create time slots" in text_of(response)
    assert len(local_starts(db_session)) == 3


def test_a_long_preview_lists_the_first_200_slots_and_counts_the_rest(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    form = pattern_form(room, [make.service_type()], weekdays=[str(d) for d in range(7)])
    form.update(to_time="17:00", every_minutes="5", duration_minutes="5")

    response = staff_web.post("/admin/slots/copy/pattern", form)

    page = text_of(response)
    assert "672 slots to create" in page  # 96 a day for 7 days
    assert "and 472 more slots, not listed here." in page
    assert page.count("5 min") == 200


def test_from_the_calendar_the_form_copies_the_week_shown_to_the_next(
    staff_web: WebClient, room: Any
) -> None:
    page = staff_web.get("/admin/slots/copy?week=2027-03-10").get_data(as_text=True)

    assert re.search(r'name="source"[^>]*value="2027-03-08"', page)
    assert re.search(r'name="target"[^>]*value="2027-03-15"', page)
    assert staff_web.get("/admin/slots/copy?week=soon").status_code == 200
