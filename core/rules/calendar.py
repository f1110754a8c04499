"""Local-calendar arithmetic for a location's timezone: days, months and their UTC bounds.

Slots are stored in UTC; clients think in the location's wall clock. Every conversion between the
two lives here, so DST is handled in one place (zoneinfo does the rules, we do the boundaries).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Years whose calendar rows and UTC bounds exist in every timezone.
MIN_YEAR, MAX_YEAR = 2, 9998


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse 'YYYY-MM' (ASCII digits only); raises ValueError for anything else.

        Years 2..9998 only: their calendar rows and UTC bounds exist in every timezone.
        """
        year_text, sep, month_text = text.partition("-")
        digits = year_text + month_text
        # int() alone would also take '+1', ' 3', '1_0' and non-ASCII digits.
        well_formed = digits.isascii() and digits.isdigit()
        if not sep or len(year_text) != 4 or len(month_text) != 2 or not well_formed:
            raise ValueError(f"not a month: {text!r}")
        month = cls(int(year_text), int(month_text))
        if not 1 <= month.month <= 12 or not MIN_YEAR <= month.year <= MAX_YEAR:
            raise ValueError(f"not a month: {text!r}")
        return month

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def weeks(self, first_weekday: int = calendar.MONDAY) -> list[list[date | None]]:
        """The month as calendar rows of 7 days; None pads the days outside the month."""
        rows = calendar.Calendar(first_weekday).monthdatescalendar(self.year, self.month)
        return [[d if d.month == self.month else None for d in row] for row in rows]


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant a local calendar day starts (a DST gap at midnight moves it to 01:00)."""
    naive = datetime.combine(day, time.min)
    # fold=0 picks the earlier offset; converting to UTC and back normalises a skipped midnight.
    return naive.replace(tzinfo=tz).astimezone(UTC)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC half-open range [start, end) of a local calendar day (23, 24 or 25 hours long)."""
    return local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)


def month_bounds(month: Month, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC half-open range of a local calendar month."""
    return local_midnight(month.first_day, tz), local_midnight(month.next().first_day, tz)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The local calendar day an aware instant falls on."""
    return instant.astimezone(tz).date()


def days_with(starts: Iterable[datetime], tz: ZoneInfo) -> set[date]:
    """The local days on which any of these instants fall."""
    return {local_date(start, tz) for start in starts}


def local_to_utc(day: date, wall_time: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time on a day, as UTC.

    A time skipped by DST (02:30 on a spring-forward night) raises ValueError; an ambiguous one
    (01:30 on a fall-back night) is the first of the two, as calendars do.
    """
    local = datetime.combine(day, wall_time).replace(tzinfo=tz)
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError(f"{day} {wall_time:%H:%M} does not exist in {tz.key} (clocks go forward)")
    return local.astimezone(UTC)
