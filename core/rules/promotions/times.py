"""Local wall-clock spans a promotion is valid in: date windows that may carry times, and hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """A span of local wall-clock time; a missing bound leaves that side open.

    A day alone covers the whole day: `last_day` 3 March runs through the end of 3 March. A day
    with a time starts (or stops) at that time; the end time itself is outside the window.
    """

    first_day: date | None = None
    from_time: time | None = None  # only with first_day
    last_day: date | None = None
    until_time: time | None = None  # only with last_day

    def __post_init__(self) -> None:
        if self.from_time is not None and self.first_day is None:
            raise ValueError("a start time needs a start day")
        if self.until_time is not None and self.last_day is None:
            raise ValueError("an end time needs an end day")
        start, end = self.start, self.end
        if start is not None and end is not None and end <= start:
            raise ValueError("the window ends before it starts")

    @property
    def start(self) -> datetime | None:
        """The first local moment inside (naive wall clock)."""
        if self.first_day is None:
            return None
        return datetime.combine(self.first_day, self.from_time or time.min)

    @property
    def end(self) -> datetime | None:
        """The first local moment after the window (naive wall clock)."""
        if self.last_day is None:
            return None
        if self.until_time is not None:
            return datetime.combine(self.last_day, self.until_time)
        return datetime.combine(self.last_day, time.min) + _ONE_DAY

    def contains(self, local: datetime) -> bool:
        start, end = self.start, self.end
        return (start is None or start <= local) and (end is None or local < end)


@dataclass(frozen=True)
class Hours:
    """A time of day, no date ("happy hour"): start ≤ t < end, across midnight if end < start."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("happy hours need a start and a different end")

    def contains(self, t: time) -> bool:
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end
