"""The staff calendar of time slots: a week in the location's own time, slots added by clicking an
empty time, a slot opened to edit, move, close or delete it, with htmx and without."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from admin.slot_calendar import grid_css
from core.models import SlotAccess, SlotState, TimeSlot
from core.services.booking import book, cancel
from tests.conftest import WebClient
from tests.factories import PASSWORD
from tests.web.helpers import count_queries, text_of

WEDNESDAY_10_EDT = datetime(2027, 7, 14, 14, 0, tzinfo=UTC)
WEEK = "2027-07-12"


@pytest.fixture
def room(make: Any) -> Any:
    return make.resource(make.location(display_name="Brooklyn", timezone="America/New_York"))


@pytest.fixture
def portrait(make: Any) -> Any:
    return make.service_type(online_name="Family portrait", duration_minutes=60)


def calendar(web: WebClient, location_id: int, week: str = WEEK, **params: Any) -> str:
    query = "&".join(
        f"{k}={v}" for k, v in {"location": location_id, "week": week, **params}.items()
    )
    response = web.get(f"/admin/slots?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def slot_texts(page: str) -> list[str]:
    """The visible text of each slot on the calendar, in page order."""
    found = re.findall(r'<a id="slot-\d+" class="slot [^"]*".*?</a>', page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", each)).strip() for each in found]


def panel_post(web: WebClient, url: str, data: dict[str, Any]) -> Any:
    return web.post(url, data, headers={"HX-Request": "true", "HX-Target": "slot-panel"})


def log_in(web: WebClient, make: Any, level: SlotAccess) -> WebClient:
    staff = make.staff(slot_access=level)
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)
    return web


def stored(db_session: Any, slot_id: int) -> TimeSlot | None:
    db_session.expire_all()
    return db_session.scalar(select(TimeSlot).where(TimeSlot.id == slot_id))


# The week


def test_the_week_shows_its_slots_at_local_times_and_no_others(
    staff_web: WebClient, room: Any, make: Any, portrait: Any
) -> None:
    make.slot(WEDNESDAY_10_EDT, resource=room, service_types=[portrait])
    make.slot(WEDNESDAY_10_EDT + timedelta(days=7, hours=1), resource=room)  # next week
    make.slot(WEDNESDAY_10_EDT - timedelta(days=7), resource=room)  # last week

    page = calendar(staff_web, room.location_id)

    assert [re.sub(r"\s", " ", t) for t in slot_texts(page)] == [
        f"10:00 AM to 11:00 AM, Open , {room.name} · Family portrait"
    ]
    assert 'aria-label="Wednesday, July 14, 2027"' in page
    assert "Eastern Time (America/New_York)" in page


def test_a_slot_late_on_sunday_evening_local_time_belongs_to_that_week(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    make.slot(datetime(2027, 7, 19, 2, 0, tzinfo=UTC), resource=room)  # Sunday 22:00 EDT

    assert len(slot_texts(calendar(staff_web, room.location_id, "2027-07-12"))) == 1
    assert slot_texts(calendar(staff_web, room.location_id, "2027-07-19")) == []


def test_any_day_of_a_week_shows_that_whole_week(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    make.slot(datetime(2027, 7, 12, 14, 0, tzinfo=UTC), resource=room)  # Monday 10:00

    assert len(slot_texts(calendar(staff_web, room.location_id, "2027-07-18"))) == 1


def test_the_week_links_to_the_weeks_before_and_after_and_today(
    staff_web: WebClient, room: Any
) -> None:
    page = calendar(staff_web, room.location_id)

    for week in ("2027-07-05", "2027-07-19", "2026-11-23"):  # the clock's today: 2026-11-23
        assert f'href="/admin/slots?location={room.location_id}&amp;week={week}"' in page
    assert 'hx-push-url="true"' in page


def test_each_state_is_written_on_its_slot_and_a_booking_names_the_client(
    staff_web: WebClient, room: Any, make: Any, db_session: Any, clock: Any
) -> None:
    booked = make.slot(WEDNESDAY_10_EDT, resource=room)
    for hours, state in [(1, SlotState.HIDDEN), (2, SlotState.CLOSED)]:
        make.slot(WEDNESDAY_10_EDT + timedelta(hours=hours), resource=room, state=state)
    hold = {"state": SlotState.HELD, "hold_token": "t"}
    make.slot(WEDNESDAY_10_EDT + timedelta(hours=3), resource=room, **hold, held_until=clock.now)
    make.slot(
        WEDNESDAY_10_EDT + timedelta(hours=4),
        resource=room,
        **hold,
        held_until=clock.now + timedelta(minutes=10),
    )
    client = make.client(name="Alex Rivera")
    book(
        db_session,
        slot_id=booked.id,
        service_type_id=booked.service_types[0].id,
        client_id=client.id,
        now=clock.now,
    )

    texts = slot_texts(calendar(staff_web, room.location_id))

    states = [re.search(r", (\w+)", t).group(1) for t in texts]  # type: ignore[union-attr]
    assert states == ["Booked", "Hidden", "Closed", "Open", "Held"]  # a hold that ran out: open
    assert "Booked : Alex Rivera" in texts[0]
    assert "Held until 10:10 AM" in texts[4]


def test_the_grid_runs_8_to_8_and_widens_to_cover_every_slot(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    assert re.search(r'is-hour">8:00\sAM</span>', calendar(staff_web, room.location_id))

    make.slot(datetime(2027, 7, 13, 10, 30, tzinfo=UTC), resource=room)  # 6:30 AM EDT
    make.slot(datetime(2027, 7, 16, 1, 0, tzinfo=UTC), resource=room)  # Thursday 9-10 PM EDT
    page = calendar(staff_web, room.location_id)

    rows = re.findall(r'class="cal-time r-\d+ s-6[^"]*">([^<]+)<', page)
    assert rows[0].replace("\u202f", " ") == "6:00 AM"
    assert rows[-1].replace("\u202f", " ") == "9:30 PM"


def test_one_resource_can_be_shown_alone(staff_web: WebClient, room: Any, make: Any) -> None:
    other = make.resource(room.location, name="Studio B")
    make.slot(WEDNESDAY_10_EDT, resource=room)
    make.slot(WEDNESDAY_10_EDT, resource=other)

    page = calendar(staff_web, room.location_id, resource=other.id)

    assert [t.split(", ")[-1].split(" · ")[0] for t in slot_texts(page)] == ["Studio B"]
    assert f"resource={other.id}" in re.search(r'id="week-next"[^>]*', page).group()  # type: ignore[union-attr]


def test_a_resource_of_another_location_is_a_404(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    elsewhere = make.resource(make.location())

    response = staff_web.get(f"/admin/slots?location={room.location_id}&resource={elsewhere.id}")

    assert response.status_code == 404


def test_the_calendar_is_a_partial_for_htmx_week_navigation(
    staff_web: WebClient, room: Any
) -> None:
    response = staff_web.htmx(f"/admin/slots?location={room.location_id}&week={WEEK}", "calendar")

    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section id="calendar"')
    assert "<html" not in page


def test_the_current_week_is_shown_by_default(
    staff_web: WebClient, room: Any, make: Any, clock: Any
) -> None:
    make.slot(clock.now + timedelta(hours=1), resource=room)  # clock: Monday 2026-11-23

    page = staff_web.get(f"/admin/slots?location={room.location_id}").get_data(as_text=True)

    assert [t[:8] for t in slot_texts(page)] == ["11:00 AM"]


def test_an_unknown_location_is_a_404(staff_web: WebClient, room: Any) -> None:
    assert staff_web.get("/admin/slots?location=999").status_code == 404


@pytest.mark.parametrize("week", ["next-week", "2027-13-01", "0001-01-01"])
def test_a_week_that_is_not_a_date_is_a_400(staff_web: WebClient, room: Any, week: str) -> None:
    response = staff_web.get(f"/admin/slots?location={room.location_id}&week={week}")

    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_data(as_text=True)


def test_the_page_makes_as_many_queries_for_many_slots_as_for_one(
    app_engine: Any, staff_web: WebClient, room: Any, make: Any, db_session: Any, clock: Any
) -> None:
    def booked_slot(n: int) -> None:
        slot = make.slot(WEDNESDAY_10_EDT + timedelta(hours=n), resource=room)
        book(
            db_session,
            slot_id=slot.id,
            service_type_id=slot.service_types[0].id,
            client_id=make.client().id,
            now=clock.now,
        )

    booked_slot(0)
    with count_queries(app_engine) as one:
        calendar(staff_web, room.location_id)
    for n in range(1, 12):
        booked_slot(n)
    with count_queries(app_engine) as many:
        calendar(staff_web, room.location_id)

    assert len(many) == len(one)


def test_the_grid_stylesheet_matches_the_layout_code() -> None:
    stylesheet = Path(__file__).parents[2] / "admin" / "static" / "calendar-grid.css"

    assert stylesheet.read_text() == grid_css()


# Adding a slot by clicking an empty time


def test_each_empty_half_hour_links_to_a_new_slot_there(staff_web: WebClient, room: Any) -> None:
    page = calendar(staff_web, room.location_id)

    link = f"/admin/slots/new?location={room.location_id}&amp;date=2027-07-14&amp;time=09:30"
    assert f'href="{link}"' in page
    assert re.search(r"Add a slot on Wednesday, July 14, 2027 at 9:30\sAM", page)


def test_the_new_slot_panel_is_prefilled_with_the_day_and_time(
    staff_web: WebClient, room: Any
) -> None:
    url = f"/admin/slots/new?location={room.location_id}&date=2027-07-14&time=09:30"

    response = staff_web.htmx(url, "slot-panel")

    panel = response.get_data(as_text=True)
    assert "<html" not in panel and 'id="calendar"' not in panel
    assert 'value="2027-07-14"' in panel and 'value="09:30"' in panel


def test_without_javascript_the_new_slot_panel_is_beside_its_week(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    make.slot(WEDNESDAY_10_EDT, resource=room)

    response = staff_web.get(f"/admin/slots/new?location={room.location_id}&date=2027-07-14")

    page = response.get_data(as_text=True)
    assert "Add a time slot" in page and len(slot_texts(page)) == 1


def test_the_type_checkboxes_carry_their_duration_for_the_default(
    staff_web: WebClient, room: Any, portrait: Any
) -> None:
    panel = staff_web.htmx(f"/admin/slots/new?location={room.location_id}", "slot-panel")

    checkbox = re.search(rf'<input [^>]*value="{portrait.id}"[^>]*>', panel.get_data(as_text=True))
    assert checkbox is not None and 'data-minutes="60"' in checkbox.group()


def test_a_time_that_is_not_a_time_is_a_400(staff_web: WebClient, room: Any) -> None:
    response = staff_web.get(f"/admin/slots/new?location={room.location_id}&time=25:00")

    assert response.status_code == 400


def new_slot_form(room: Any, service_type: Any, **changes: Any) -> dict[str, Any]:
    values = {
        "resource": str(room.id),
        "day": "2027-07-14",
        "start_time": "10:00",
        "duration_minutes": "",
        "service_types": [str(service_type.id)],
    }
    return {**values, **changes}


def test_adding_with_htmx_answers_the_slots_panel_and_the_calendar_with_it(
    staff_web: WebClient, room: Any, portrait: Any, db_session: Any
) -> None:
    staff_web.get(f"/admin/slots?location={room.location_id}")
    url = f"/admin/slots/new?location={room.location_id}"

    response = panel_post(staff_web, url, new_slot_form(room, portrait, overridable="y"))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Time slot added" in page
    assert '<section id="calendar"' in page and 'hx-swap-oob="true"' in page
    [slot] = db_session.scalars(select(TimeSlot)).all()
    assert slot.overridable is True
    assert f'id="slot-{slot.id}"' in page and "is-selected" in page
    assert response.headers["HX-Push-Url"] == f"/admin/slots/{slot.id}"


def test_a_refused_new_slot_answers_the_panel_alone_with_the_message(
    staff_web: WebClient, room: Any, portrait: Any
) -> None:
    staff_web.get(f"/admin/slots?location={room.location_id}")
    url = f"/admin/slots/new?location={room.location_id}"

    response = panel_post(staff_web, url, new_slot_form(room, portrait, start_time=""))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="start_time-error"' in page and 'id="calendar"' not in page


# One slot's panel


def test_a_slots_panel_says_what_it_is(
    staff_web: WebClient, room: Any, make: Any, portrait: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room, service_types=[portrait], minutes=90)

    panel = text_of(staff_web.htmx(f"/admin/slots/{slot.id}", "slot-panel"))

    assert re.search(r"Wednesday, July 14, 2027, 10:00\sAM–11:30\sAM", panel)
    assert "Length 90 minutes" in panel and "Offered for Family portrait" in panel
    assert "Move slot" in panel and "Save changes" in panel and "Delete slot" in panel


def test_without_javascript_a_slot_opens_beside_its_week(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room)

    page = staff_web.get(f"/admin/slots/{slot.id}").get_data(as_text=True)

    assert "Move slot" in page and "July 12" in page
    assert f'id="slot-{slot.id}" class="slot slot-open' in page and 'aria-current="true"' in page


def test_an_unknown_slot_is_a_404(staff_web: WebClient, room: Any) -> None:
    assert staff_web.get("/admin/slots/4242").status_code == 404


def test_a_booked_slot_is_shown_with_its_client_and_no_forms(
    staff_web: WebClient, room: Any, make: Any, db_session: Any, clock: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room)
    client = make.client(name="Alex Rivera")
    book(
        db_session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        client_id=client.id,
        now=clock.now,
    )

    panel = staff_web.htmx(f"/admin/slots/{slot.id}", "slot-panel").get_data(as_text=True)

    assert "Alex Rivera" in panel and f"/admin/clients/{client.id}" in panel
    assert "has a booking: reschedule the booking instead" in panel
    assert "Move slot" not in panel and "Delete slot" not in panel


def test_moving_a_slot_with_htmx_shows_it_in_its_new_week(
    staff_web: WebClient, room: Any, make: Any, db_session: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room, minutes=45)
    staff_web.get(f"/admin/slots/{slot.id}")

    response = panel_post(
        staff_web,
        f"/admin/slots/{slot.id}/move",
        {"day": "2027-07-22", "start_time": "15:30"},
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r"Time slot moved to Thu, Jul 22, 2027, 3:30\sPM\sEDT", page)
    assert "Jul 19" in page  # the calendar out of band shows the new week
    moved = stored(db_session, slot.id)
    assert moved is not None
    assert moved.start_at == datetime(2027, 7, 22, 19, 30, tzinfo=UTC)
    assert moved.end_at - moved.start_at == timedelta(minutes=45)


def test_moving_without_javascript_redirects_to_the_slot(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room)
    staff_web.get(f"/admin/slots/{slot.id}")

    response = staff_web.post(
        f"/admin/slots/{slot.id}/move", {"day": "2027-07-15", "start_time": "09:00"}
    )

    assert response.status_code == 303
    assert response.location == f"/admin/slots/{slot.id}"
    assert "Time slot moved" in staff_web.get(response.location).get_data(as_text=True)


def test_a_move_to_a_time_the_clocks_skip_is_a_400_next_to_the_time(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room)
    staff_web.get(f"/admin/slots/{slot.id}")

    response = panel_post(
        staff_web, f"/admin/slots/{slot.id}/move", {"day": "2027-03-14", "start_time": "02:30"}
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="move-start_time-error"' in page and "clocks go forward" in page


def test_editing_changes_the_details_and_keeps_the_time(
    staff_web: WebClient, room: Any, make: Any, portrait: Any, db_session: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room)
    other = make.resource(room.location, name="Studio B")
    staff_web.get(f"/admin/slots/{slot.id}")

    response = panel_post(
        staff_web,
        f"/admin/slots/{slot.id}/edit",
        {"resource": other.id, "duration_minutes": "30", "service_types": [portrait.id]},
    )

    assert response.status_code == 200 and "Time slot saved" in response.get_data(as_text=True)
    edited = stored(db_session, slot.id)
    assert edited is not None
    assert (edited.resource_id, edited.start_at) == (other.id, WEDNESDAY_10_EDT)
    assert edited.end_at - edited.start_at == timedelta(minutes=30)
    assert [t.id for t in edited.service_types] == [portrait.id]


def test_a_change_to_a_booked_slot_is_a_409_in_the_panel(
    staff_web: WebClient, room: Any, make: Any, db_session: Any, clock: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room)
    staff_web.get(f"/admin/slots/{slot.id}")
    book(
        db_session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        client_id=make.client().id,
        now=clock.now,
    )  # booked while the panel was open

    response = panel_post(
        staff_web, f"/admin/slots/{slot.id}/move", {"day": "2027-07-15", "start_time": "09:00"}
    )

    assert response.status_code == 409
    assert "has a booking: reschedule the booking instead" in response.get_data(as_text=True)


def test_closing_and_reopening_a_slot(
    staff_web: WebClient, room: Any, make: Any, db_session: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room)
    staff_web.get(f"/admin/slots/{slot.id}")

    closed = panel_post(staff_web, f"/admin/slots/{slot.id}/close", {})
    assert "clients no longer see it" in closed.get_data(as_text=True)
    assert "Reopen slot" in closed.get_data(as_text=True)
    assert stored(db_session, slot.id).state is SlotState.CLOSED  # type: ignore[union-attr]

    panel_post(staff_web, f"/admin/slots/{slot.id}/reopen", {})
    assert stored(db_session, slot.id).state is SlotState.OPEN  # type: ignore[union-attr]


def test_deleting_a_slot_takes_it_off_the_calendar(
    staff_web: WebClient, room: Any, make: Any, db_session: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room)
    slot_id = slot.id
    staff_web.get(f"/admin/slots/{slot_id}")

    response = staff_web.post(f"/admin/slots/{slot_id}/delete", {})

    assert response.status_code == 303
    assert response.location == f"/admin/slots?location={room.location_id}&week={WEEK}"
    page = staff_web.get(response.location).get_data(as_text=True)
    assert "Time slot deleted" in page and slot_texts(page) == []
    assert stored(db_session, slot_id) is None


def test_a_slot_booked_before_cannot_be_deleted_only_closed(
    staff_web: WebClient, room: Any, make: Any, db_session: Any, clock: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room)
    booking = book(
        db_session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        client_id=make.client().id,
        now=clock.now,
    )
    cancel(db_session, public_id=booking.public_id, now=clock.now)
    staff_web.get(f"/admin/slots/{slot.id}")

    response = panel_post(staff_web, f"/admin/slots/{slot.id}/delete", {})

    assert response.status_code == 409
    assert "Close it instead" in response.get_data(as_text=True)


# Permissions: what each level of "Scheduling Time Slots" sees and may do


def test_staff_without_slot_access_cannot_see_the_calendar(
    web: WebClient, make: Any, room: Any
) -> None:
    log_in(web, make, SlotAccess.NONE)

    assert web.get(f"/admin/slots?location={room.location_id}").status_code == 403
    assert web.htmx(f"/admin/slots?location={room.location_id}", "calendar").status_code == 403


def test_modify_overridable_staff_see_no_way_to_add_slots(
    web: WebClient, make: Any, room: Any
) -> None:
    log_in(web, make, SlotAccess.MODIFY_OVERRIDABLE)

    page = calendar(web, room.location_id)

    assert '<a class="cal-cell' not in page and "/admin/slots/new" not in page
    assert web.get(f"/admin/slots/new?location={room.location_id}").status_code == 403
    assert (
        web.htmx(f"/admin/slots/new?location={room.location_id}", "slot-panel").status_code == 403
    )


def test_modify_overridable_staff_change_only_overridable_slots(
    web: WebClient, make: Any, room: Any, db_session: Any
) -> None:
    fixed = make.slot(WEDNESDAY_10_EDT, resource=room)
    loose = make.slot(WEDNESDAY_10_EDT + timedelta(hours=1), resource=room, overridable=True)
    log_in(web, make, SlotAccess.MODIFY_OVERRIDABLE)

    fixed_panel = web.htmx(f"/admin/slots/{fixed.id}", "slot-panel").get_data(as_text=True)
    assert "You can see this slot but not change it" in fixed_panel
    assert "Move slot" not in fixed_panel
    for action in ("move", "edit", "close", "reopen", "delete"):
        refused = panel_post(web, f"/admin/slots/{fixed.id}/{action}", {})
        assert refused.status_code == 403, action
    assert "Move slot" in web.htmx(f"/admin/slots/{loose.id}", "slot-panel").get_data(as_text=True)

    moved = panel_post(
        web, f"/admin/slots/{loose.id}/move", {"day": "2027-07-15", "start_time": "09:00"}
    )
    assert moved.status_code == 200
    assert stored(db_session, fixed.id).start_at == WEDNESDAY_10_EDT  # type: ignore[union-attr]


def test_only_full_access_sets_whether_a_slot_is_overridable(
    web: WebClient, make: Any, room: Any, portrait: Any, db_session: Any
) -> None:
    slot = make.slot(WEDNESDAY_10_EDT, resource=room, service_types=[portrait], overridable=True)
    log_in(web, make, SlotAccess.CREATE)
    panel = web.htmx(f"/admin/slots/{slot.id}", "slot-panel").get_data(as_text=True)
    assert 'name="overridable"' not in panel

    details = {"resource": room.id, "duration_minutes": "60", "service_types": [portrait.id]}
    response = panel_post(web, f"/admin/slots/{slot.id}/edit", details)  # unchecked: not sent

    assert response.status_code == 200
    assert stored(db_session, slot.id).overridable is True  # type: ignore[union-attr]
