"""Step 1 and 2 of the widget: choosing a location, a session type, a day and a time."""

from __future__ import annotations

import pytest

from core.models import SlotState
from core.services import read_cache
from tests.web.helpers import at, count_queries, slot_ids, text_of


def test_book_lists_online_types_with_price_and_duration(web, make):
    shown = make.service_type(
        online_name="Family Portrait",
        duration_minutes=90,
        display_price=15000,
        marketing_description="Up to six people.",
    )
    make.service_type(online_name="Internal only", online=False)
    make.slot(at(2026, 12, 3, 15), service_types=[shown])
    page = text_of(web.get("/book"))
    assert "Family Portrait" in page
    assert "90 min" in page and "$150.00" in page and "Up to six people." in page
    assert "Internal only" not in page


def test_sessions_are_listed_before_appointments(web, make):
    from core.models import ServiceKind

    make.service_type(online_name="A consultation", kind=ServiceKind.APPOINTMENT)
    make.service_type(online_name="Z portrait session")
    page = text_of(web.get("/book"))
    assert page.index("Z portrait session") < page.index("A consultation")


def test_with_two_locations_the_client_picks_the_location_first(web, make):
    service_type = make.service_type(online_name="Headshots")
    brooklyn = make.location(display_name="Northlight Brooklyn")
    london = make.location(display_name="Northlight London", timezone="Europe/London")
    make.slot(at(2026, 12, 3, 15), service_types=[service_type], resource=make.resource(brooklyn))
    make.slot(at(2026, 12, 3, 11), service_types=[service_type], resource=make.resource(london))
    page = web.get("/book")
    assert "Where would you like to come?" in text_of(page)
    assert f'href="/book?location={london.id}"' in page.get_data(as_text=True)
    assert "Headshots" in text_of(web.get(f"/book?location={london.id}"))


def test_a_location_only_lists_the_types_it_has_slots_for(web, make):
    newborn = make.service_type(online_name="Newborn")
    headshots = make.service_type(online_name="Headshots")
    brooklyn, london = make.location(), make.location(timezone="Europe/London")
    make.slot(at(2026, 12, 3, 15), service_types=[newborn], resource=make.resource(brooklyn))
    make.slot(at(2026, 12, 3, 11), service_types=[headshots], resource=make.resource(london))
    page = text_of(web.get(f"/book?location={london.id}"))
    assert "Headshots" in page and "Newborn" not in page


def test_deep_link_skips_the_type_selection(web, make):
    service_type = make.service_type(online_name="Couples", slug="couples")
    make.slot(at(2026, 12, 3, 15), service_types=[service_type])
    page = text_of(web.get("/book/couples"))
    assert "Couples" in page and "December 2026" in page


def test_deep_link_opens_on_the_first_month_with_times(web, make):
    service_type = make.service_type(slug="spring")
    make.slot(at(2027, 2, 10, 15), service_types=[service_type])
    assert "February 2027" in text_of(web.get("/book/spring"))


def test_month_marks_only_days_with_bookable_times(web, make):
    from core.models import SlotState

    service_type = make.service_type(slug="fam")
    resource = make.resource()
    make.slot(at(2026, 12, 3, 15), service_types=[service_type], resource=resource)
    make.slot(
        at(2026, 12, 4, 15), service_types=[service_type], resource=resource, state=SlotState.BOOKED
    )
    html = web.get("/book/fam?month=2026-12").get_data(as_text=True)
    assert "Thursday, December 3, 2026, 1 time available" in html
    # A booked-out day opens only to offer its waiting list (see test_widget_waitlist).
    assert "December 4, 2026, 1 time available" not in html
    assert "Friday, December 4, 2026, fully booked: join the waiting list" in html
    assert "Saturday, December 5, 2026, no times" in html


def test_past_and_booked_times_never_show(web, make, clock):
    from core.models import SlotState

    service_type = make.service_type(slug="fam")
    resource = make.resource()
    past = make.slot(at(2026, 11, 23, 14), service_types=[service_type], resource=resource)
    booked = make.slot(
        at(2026, 11, 23, 17),
        service_types=[service_type],
        resource=resource,
        state=SlotState.BOOKED,
    )
    future = make.slot(at(2026, 11, 23, 19), service_types=[service_type], resource=resource)
    ids = slot_ids(web.get("/book/fam?day=2026-11-23"))
    assert ids == [future.id]
    assert past.id not in ids and booked.id not in ids


def test_times_are_shown_in_the_location_timezone_and_it_is_named(web, make):
    service_type = make.service_type(slug="fam")
    london = make.location(timezone="Europe/London")
    make.slot(at(2026, 12, 3, 10), service_types=[service_type], resource=make.resource(london))
    page = text_of(web.get("/book/fam?day=2026-12-03"))
    assert "10:00 AM" in page
    assert "United Kingdom Time (London)" in page


def test_local_times_stay_right_across_a_dst_change(web, make, clock):
    service_type = make.service_type(slug="fam")
    new_york = make.location(timezone="America/New_York")
    resource = make.resource(new_york)
    clock.now = at(2026, 3, 1, 12)
    make.slot(at(2026, 3, 6, 15), service_types=[service_type], resource=resource)  # EST, UTC-5
    make.slot(at(2026, 3, 10, 14), service_types=[service_type], resource=resource)  # EDT, UTC-4
    assert "10:00 AM" in text_of(web.get("/book/fam?day=2026-03-06"))
    assert "10:00 AM" in text_of(web.get("/book/fam?day=2026-03-10"))


def test_choosing_a_day_with_htmx_returns_only_the_day_partial(web, make):
    service_type = make.service_type(slug="fam")
    slot = make.slot(at(2026, 12, 3, 15), service_types=[service_type])
    response = web.htmx("/book/fam?day=2026-12-03", target="day-times")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="day-times"' in html
    assert slot_ids(response) == [slot.id]
    # Only the day: the month on screen marks the chosen day itself (widget.js), so the answer
    # asks none of the month's questions (issue 9).
    assert 'id="month-grid"' not in html and "hx-swap-oob" not in html


def test_month_navigation_with_htmx_returns_the_picker_partial(web, make):
    service_type = make.service_type(slug="fam")
    make.slot(at(2027, 1, 5, 15), service_types=[service_type])
    response = web.htmx("/book/fam?month=2027-01", target="slot-picker")
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="slot-picker"' in html
    assert "January 2027" in text_of(response) and "day=2027-01-05" in html


def test_without_javascript_a_day_link_renders_the_full_page_with_times(web, make):
    service_type = make.service_type(slug="fam")
    slot = make.slot(at(2026, 12, 3, 15), service_types=[service_type])
    response = web.get("/book/fam?day=2026-12-03")
    assert "<html" in response.get_data(as_text=True)
    assert slot_ids(response) == [slot.id]


def test_previous_month_arrow_is_hidden_in_the_current_month(web, make):
    service_type = make.service_type(slug="fam")
    make.slot(at(2026, 11, 30, 15), service_types=[service_type])
    html = web.get("/book/fam?month=2026-11").get_data(as_text=True)
    assert 'aria-label="Previous month"' not in html
    assert 'aria-label="Next month"' in html


def test_a_type_with_no_times_says_so_politely(web, make):
    make.service_type(slug="empty", online_name="Pet portraits")
    response = web.get("/book/empty")
    assert response.status_code == 200
    assert "no times available" in text_of(response)


def test_page_queries_do_not_grow_with_slots_and_bookings(web, make, db_session, app_engine):
    from datetime import timedelta

    from core.models import SlotState

    service_type = make.service_type(slug="fam")
    resource = make.resource()
    make.slot(at(2026, 12, 3, 15), service_types=[service_type], resource=resource)

    def counts() -> tuple[int, int]:
        with count_queries(app_engine) as book_queries:
            assert web.get("/book").status_code == 200
        with count_queries(app_engine) as day_queries:
            assert web.get("/book/fam?day=2026-12-03").status_code == 200
        return len(book_queries), len(day_queries)

    counts()  # the rows kept between requests (on PostgreSQL) are read once, here
    small = counts()
    start = at(2026, 12, 3, 16)
    for i in range(300):
        make_slot = db_session.add
        from core.models import TimeSlot

        make_slot(
            TimeSlot(
                start_at=start + timedelta(minutes=15 * i),
                end_at=start + timedelta(minutes=15 * i + 15),
                resource=resource,
                location_id=resource.location_id,
                service_types=[service_type],
                state=SlotState.BOOKED if i % 3 == 0 else SlotState.OPEN,
            )
        )
    db_session.commit()
    assert counts() == small


@pytest.mark.parametrize("locations", [1, 2])
def test_a_days_click_asks_only_for_that_day(web, make, app_engine, locations):
    """The picker's day request (issue 9): the studio's rows (one query), the type, the location
    (the only one, or the one the request names) and the day's slots; none of the month's
    questions, and no row read twice. On PostgreSQL this process keeps the first three between
    requests (core/services/read_cache.py): the day's slots are all it asks."""
    make.studio()  # every studio has its row (set-up); without it, its preferences take a query
    service_type, resource = make.service_type(slug="fam"), make.resource()
    for day in (3, 4, 5):
        make.slot(at(2026, 12, day, 15), service_types=[service_type], resource=resource)
    if locations == 2:
        elsewhere = make.resource(make.location())
        make.slot(at(2026, 12, 4, 15), service_types=[service_type], resource=elsewhere)
    keeps = read_cache.keeps(app_engine, wait=10)
    assert keeps == (app_engine.dialect.name == "postgresql")
    web.get("/book/fam")  # the session's cookie, as the page the click comes from set it
    picker = f"/book/fam?location={resource.location_id}&" if locations == 2 else "/book/fam?"
    web.htmx(picker + "day=2026-12-03", target="day-times")  # rows kept: read once, here
    with count_queries(app_engine) as statements:
        response = web.htmx(picker + "day=2026-12-04", target="day-times")
    assert response.status_code == 200 and len(slot_ids(response)) == 1
    assert len(statements) == (1 if keeps else 4), "\n".join(s[:70] for s in statements)
    assert sum("FROM studio" in s for s in statements) == (0 if keeps else 1)
    assert "FROM time_slot" in statements[-1]


def test_a_month_with_a_free_time_every_open_day_asks_nothing_about_full_days(
    web, make, app_engine
):
    service_type, resource = make.service_type(slug="fam"), make.resource()
    for day in range(1, 32):
        make.slot(at(2026, 12, day, 15), service_types=[service_type], resource=resource)
    web.htmx("/book/fam?month=2026-11", target="slot-picker")  # rows kept: read once, here
    with count_queries(app_engine) as every_day_free:
        web.htmx("/book/fam?month=2026-12", target="slot-picker")
    make.slot(
        at(2027, 1, 5, 15), service_types=[service_type], resource=resource, state=SlotState.BOOKED
    )
    with count_queries(app_engine) as a_full_day:
        response = web.htmx("/book/fam?month=2027-01", target="slot-picker")
    # The booked-out 5th is offered its waiting list: one more query, over the days without times.
    assert len(a_full_day) == len(every_day_free) + 1
    assert "fully booked" in response.get_data(as_text=True)
