"""What a screen reader hears in the slot picker: each day as a date with its number of times, each
time with its timezone, and the sentence read out after choosing a day or a month."""

from __future__ import annotations

from tests.web.helpers import at


def test_days_are_read_as_dates_with_their_number_of_times(web, make):
    service_type, room = make.service_type(slug="fam"), make.resource()
    for hour in (14, 15):
        make.slot(at(2026, 12, 1, hour), service_types=[service_type], resource=room)
    make.slot(at(2026, 12, 2, 15), service_types=[service_type], resource=room)
    html = web.get("/book/fam?month=2026-12").get_data(as_text=True)
    assert 'aria-label="Tuesday, December 1, 2026, 2 times available"' in html
    assert 'aria-label="Wednesday, December 2, 2026, 1 time available"' in html
    assert "Thursday, December 3, 2026, no times" in html
    assert 'role="grid"' in html and 'data-announce="December 2026: 2 days with times"' in html


def test_times_are_read_with_their_timezone_and_the_day_is_announced(web, make):
    service_type, room = make.service_type(slug="fam"), make.resource()
    for hour in (14, 15):
        make.slot(at(2026, 12, 1, hour), service_types=[service_type], resource=room)
    html = web.htmx("/book/fam?day=2026-12-01", target="day-times").get_data(as_text=True)
    assert 'aria-label="9:00\u202fAM Eastern Time (New York)"' in html
    assert 'data-announce="2 times on Tuesday, December 1"' in html
    assert '<h2 id="day-heading" tabindex="-1">Tuesday, December 1, 2026</h2>' in html
