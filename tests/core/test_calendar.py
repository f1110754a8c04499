"""Local-calendar arithmetic: months, weeks, day bounds and wall-clock conversion across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.rules.calendar import Month, day_bounds, local_date, local_to_utc, month_bounds

NEW_YORK = ZoneInfo("America/New_York")
ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Pacific/Chatham",
]
months = st.builds(Month, st.integers(1, 9997), st.integers(1, 12))
# Every month Month.parse accepts.
parseable_months = st.builds(Month, st.integers(2, 9998), st.integers(1, 12))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03", Month(2026, 3)),
        ("0002-01", Month(2, 1)),
        ("9998-12", Month(9998, 12)),
        ("2026-12", Month(2026, 12)),
    ],
)
def test_month_parse_accepts_year_dash_month(text: str, expected: Month) -> None:
    assert Month.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026",
        "2026-",
        "-03",
        "2026-3",
        "26-03",
        "2026-13",
        "2026-00",
        "0000-05",
        "2026-03-01",
        "2026/03",
        "abcd-ef",
        "0001-12",
        "9999-01",
        "2026-+1",
        "2026- 3",
        "+026-03",
        "1_00-01",
        " 2026-03",
        "2026-03 ",
        "２０２６-03",
        "2026-٠٣",
    ],
)
def test_month_parse_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError):
        Month.parse(text)


@given(parseable_months)
def test_month_str_parses_back_to_the_same_month(month: Month) -> None:
    assert Month.parse(str(month)) == month


@given(months)
def test_next_then_previous_is_the_same_month(month: Month) -> None:
    assert month.next().previous() == month
    assert month.next() > month


@given(st.builds(Month, st.integers(2, 9997), st.integers(1, 12)))
def test_previous_then_next_is_the_same_month(month: Month) -> None:
    assert month.previous().next() == month
    assert month.previous() < month


@given(months)
def test_next_month_starts_the_day_after_this_month_ends(month: Month) -> None:
    last_day = month.next().first_day - timedelta(days=1)
    assert Month.of(last_day) == month


@given(parseable_months, st.integers(0, 6))
def test_weeks_cover_every_day_of_the_month_once_in_rows_of_seven(
    month: Month, first_weekday: int
) -> None:
    rows = month.weeks(first_weekday)
    assert all(len(row) == 7 for row in rows)
    days = [day for row in rows for day in row if day is not None]
    month_length = (month.next().first_day - month.first_day).days
    assert days == [month.first_day + timedelta(days=n) for n in range(month_length)]
    assert month.first_day.weekday() == (first_weekday + rows[0].index(month.first_day)) % 7


@given(parseable_months, st.sampled_from(ZONES))
def test_every_parseable_month_has_utc_bounds_in_every_zone(month: Month, zone: str) -> None:
    start, end = month_bounds(month, ZoneInfo(zone))
    assert timedelta(days=28) - timedelta(hours=1) <= end - start <= timedelta(days=31, hours=1)


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2026, 3, 8), 23),  # spring forward
        (date(2026, 11, 1), 25),  # fall back
        (date(2026, 3, 7), 24),
        (date(2026, 3, 9), 24),
        (date(2026, 7, 15), 24),
        (date(2026, 10, 31), 24),
        (date(2026, 11, 2), 24),
    ],
)
def test_new_york_day_lasts_23_hours_on_spring_forward_and_25_on_fall_back(
    day: date, hours: int
) -> None:
    start, end = day_bounds(day, NEW_YORK)
    assert end - start == timedelta(hours=hours)


@given(
    st.dates(min_value=date(1971, 1, 1), max_value=date(2099, 12, 30)),
    st.sampled_from(ZONES),
)
def test_consecutive_days_tile_time_and_start_on_their_own_day(day: date, zone: str) -> None:
    tz = ZoneInfo(zone)
    start, end = day_bounds(day, tz)
    next_start, _ = day_bounds(day + timedelta(days=1), tz)
    assert start.tzinfo is UTC
    assert start < end
    assert end == next_start
    assert local_date(start, tz) == day
    assert local_date(end - timedelta(microseconds=1), tz) == day


def test_a_time_skipped_by_spring_forward_is_refused() -> None:
    with pytest.raises(ValueError, match="does not exist"):
        local_to_utc(date(2026, 3, 8), time(2, 30), NEW_YORK)


def test_an_ambiguous_fall_back_time_is_the_first_of_the_two() -> None:
    instant = local_to_utc(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert instant == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not 01:30 EST


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 7, 15), datetime(2026, 7, 15, 14, 0, tzinfo=UTC)),
        (date(2026, 12, 15), datetime(2026, 12, 15, 15, 0, tzinfo=UTC)),
        (date(2026, 3, 8), datetime(2026, 3, 8, 14, 0, tzinfo=UTC)),
        (date(2026, 3, 7), datetime(2026, 3, 7, 15, 0, tzinfo=UTC)),
    ],
)
def test_ten_oclock_wall_time_keeps_its_wall_time_across_dst(day: date, expected: datetime) -> None:
    assert local_to_utc(day, time(10, 0), NEW_YORK) == expected
