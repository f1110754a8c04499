"""Where each time slot sits on the staff calendar: a week of days in the location's wall-clock
time, rows of five minutes, and side by side lanes in a day for its resources (more when one
resource's slots overlap).

Plain data for the template; the grid classes it names (r-N, s-N, l-N, w-N) are in
calendar-grid.css (see grid_css), as the admin's CSP allows no inline styles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.models import Booking, SlotState, TimeSlot

ROW_MINUTES = 5
BAND_MINUTES = 30  # one clickable empty time, and one line of the time ruler
DAY_MINUTES = 24 * 60
DEFAULT_HOURS = (8, 20)
MAX_LANES = 12  # lanes-N classes exist up to this; more still show, in implicit columns


@dataclass(frozen=True)
class PlacedSlot:
    slot: TimeSlot
    booking: Booking | None
    state: str  # as staff should read it: a hold that ran out is open again
    starts: datetime  # local
    ends: datetime  # local
    row: int  # grid row of the start, 1-based
    span: int  # rows tall
    lane: int  # 1-based
    width: int  # lanes wide


@dataclass(frozen=True)
class Band:
    """An empty half hour staff can click to add a slot."""

    minute: int  # of the day
    row: int
    span: int


@dataclass(frozen=True)
class CalendarDay:
    day: date
    lanes: int
    slots: list[PlacedSlot]

    @property
    def lane_class(self) -> str:
        return f"lanes-{min(self.lanes, MAX_LANES)}"


@dataclass(frozen=True)
class WeekGrid:
    days: list[CalendarDay]
    bands: list[Band]


@dataclass(frozen=True)
class _Local:
    slot: TimeSlot
    booking: Booking | None
    starts: datetime
    ends: datetime
    start: int  # minute of the day
    end: int


def shown_state(slot: TimeSlot, now: datetime) -> str:
    """The slot's state for staff: one held by a hold that ran out is open."""
    if slot.state is SlotState.HELD and (slot.held_until is None or slot.held_until <= now):
        return SlotState.OPEN.value
    return slot.state.value


def _minute_of_day(instant: datetime) -> int:
    return instant.hour * 60 + instant.minute


def _hours(starts_ends: list[tuple[int, int]]) -> tuple[int, int]:
    """The first and last minute the grid shows: 08:00-20:00 widened to whole hours around
    every slot of the week."""
    first, last = DEFAULT_HOURS[0] * 60, DEFAULT_HOURS[1] * 60
    for start, end in starts_ends:
        first = min(first, start // 60 * 60)
        last = max(last, min(DAY_MINUTES, -(-end // 60) * 60))
    return first, last


def week_grid(
    rows: list[tuple[TimeSlot, Booking | None]], monday: date, tz: ZoneInfo, now: datetime
) -> WeekGrid:
    """The seven days from `monday` with their slots placed by local start time and length."""
    by_day: dict[date, list[_Local]] = defaultdict(list)
    for slot, booking in rows:
        starts, ends = slot.start_at.astimezone(tz), slot.end_at.astimezone(tz)
        start = _minute_of_day(starts)
        # A slot running past midnight is drawn to the end of its first day.
        end = min(DAY_MINUTES, start + int((slot.end_at - slot.start_at).total_seconds() // 60))
        by_day[starts.date()].append(_Local(slot, booking, starts, ends, start, end))
    first, last = _hours([(s.start, s.end) for day in by_day.values() for s in day])
    week = [monday + timedelta(days=n) for n in range(7)]
    days = []
    lanes = 1
    for day in week:
        lane_of, day_lanes = _lanes(by_day[day])
        lanes = max(lanes, day_lanes)
        days.append(CalendarDay(day, day_lanes, []))
        for each in by_day[day]:
            row = (each.start - first) // ROW_MINUTES + 1
            end_row = -(-(min(each.end, last) - first) // ROW_MINUTES) + 1
            lane, width = lane_of[each.slot.id]
            days[-1].slots.append(
                PlacedSlot(
                    slot=each.slot,
                    booking=each.booking,
                    state=shown_state(each.slot, now),
                    starts=each.starts,
                    ends=each.ends,
                    row=row,
                    span=max(1, end_row - row),
                    lane=lane,
                    width=width,
                )
            )
    band_rows = BAND_MINUTES // ROW_MINUTES
    bands = [
        Band(minute, (minute - first) // ROW_MINUTES + 1, band_rows)
        for minute in range(first, last, BAND_MINUTES)
    ]
    return WeekGrid(days=days, bands=bands)


def _lanes(slots: list[_Local]) -> tuple[dict[int, tuple[int, int]], int]:
    """One day's lanes, side by side: each resource's slots in its own lanes, resources in name
    order, a resource taking as many lanes as its most overlapping slots need. A slot then
    widens to the right over lanes free for all its time. Returns (lane, width) by slot id,
    and how many lanes the day has."""
    by_resource: dict[tuple[str, int], list[_Local]] = defaultdict(list)
    for each in slots:
        by_resource[(each.slot.resource.name.casefold(), each.slot.resource_id)].append(each)
    lane_of: dict[int, int] = {}
    taken: list[list[_Local]] = []  # the slots in each lane
    for key in sorted(by_resource):
        own: list[list[_Local]] = []
        for each in sorted(by_resource[key], key=lambda s: (s.start, s.end)):
            free = [lane for lane in own if lane[-1].end <= each.start]
            lane = free[0] if free else []
            if not free:
                own.append(lane)
            lane.append(each)
            lane_of[each.slot.id] = len(taken) + own.index(lane) + 1
        taken += own
    placed = {}
    for each in slots:
        lane = lane_of[each.slot.id]
        width = 1
        for neighbour in taken[lane:]:
            if any(o.start < each.end and each.start < o.end for o in neighbour):
                break
            width += 1
        placed[each.slot.id] = (lane, width)
    return placed, max(1, len(taken))


GRID_CSS_HEADER = """\
/* Grid placement for the staff calendar. The admin's CSP allows no inline styles, so every row
 * start (r-N), row span (s-N), lane (l-N), lanes wide (w-N) and lane count (lanes-N) has a class;
 * rows are five minutes. Generated by admin.slot_calendar.grid_css(); a test checks it. */
"""


def grid_css() -> str:
    """The contents of admin/static/calendar-grid.css."""
    rows = DAY_MINUTES // ROW_MINUTES
    rules = [f".r-{n} {{ grid-row-start: {n}; }}" for n in range(1, rows + 2)]
    rules += [f".s-{n} {{ grid-row-end: span {n}; }}" for n in range(1, rows + 1)]
    rules += [f".l-{n} {{ grid-column-start: {n}; }}" for n in range(1, MAX_LANES + 1)]
    rules += [f".w-{n} {{ grid-column-end: span {n}; }}" for n in range(1, MAX_LANES + 1)]
    rules += [
        f".lanes-{n} {{ grid-template-columns: repeat({n}, minmax(0, 1fr)); }}"
        for n in range(1, MAX_LANES + 1)
    ]
    return GRID_CSS_HEADER + "\n" + "\n".join(rules) + "\n"
