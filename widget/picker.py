"""The slot picker's data: a month of days marked bookable, and one day's times.

Two aggregate queries whatever the number of slots: the month's start instants, the day's slots.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.models import Location, Organization, ServiceType
from core.rules.calendar import (
    MAX_YEAR,
    MIN_YEAR,
    Month,
    day_bounds,
    days_with,
    local_date,
    month_bounds,
)
from core.services import availability, waitlist
from core.services.errors import BookingError


class BadPickerInput(BookingError):
    status_code = 400
    default_message = "That date is not valid. Please choose a day from the calendar."


@dataclass
class Picker:
    service_type: ServiceType
    location: Location
    month: Month
    this_month: Month
    open_days: set[date]
    day: date | None = None
    slots: list[availability.OpenTime] = field(default_factory=list)
    full_days: set[date] = field(default_factory=set)  # booked out: a waiting list is offered
    times_per_day: Counter[date] = field(default_factory=Counter)  # read out on each day

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.location.timezone)

    @property
    def can_go_back(self) -> bool:
        return self.month > self.this_month

    @property
    def shows_resources(self) -> bool:
        """Name the room or photographer only when two slots share a start time."""
        starts = [slot.start_at for slot in self.slots]
        return len(starts) != len(set(starts))


def parse_month(text: str | None) -> Month | None:
    if not text:
        return None
    try:
        return Month.parse(text)
    except ValueError:
        raise BadPickerInput("That month is not valid. Please use the calendar arrows.") from None


def parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadPickerInput() from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:  # the ends of the calendar overflow in UTC
        raise BadPickerInput()
    return day


def build_picker(
    session: Session,
    service_type: ServiceType,
    location: Location,
    *,
    now: datetime,
    month: Month | None,
    day: date | None,
    not_before: datetime | None = None,
    organization: Organization | None = None,
    with_full_days: bool = False,
) -> Picker:
    """The month to show (the asked one, the day's, or the first with times) and the day's slots;
    none starting before `not_before` (the studio's booking notice); only the slots offered in
    the context (public, or `organization`'s link). `with_full_days`: also the month's days whose
    times are all taken (one more aggregate query), where clients may join the waiting list."""
    tz = ZoneInfo(location.timezone)
    this_month = Month.of(local_date(now, tz))
    ids = {
        "service_type_id": service_type.id,
        "location_id": location.id,
        "now": now,
        "not_before": not_before,
        "organization": organization,
    }
    if month is None and day is not None:
        month = Month.of(day)
    if month is None:
        first = availability.first_bookable_start(session, **ids)
        month = Month.of(local_date(first, tz)) if first else this_month
    start, end = month_bounds(month, tz)
    starts = availability.bookable_starts(session, start=start, end=end, **ids)
    picker = Picker(service_type, location, month, this_month, days_with(starts, tz), day)
    picker.times_per_day = Counter(local_date(instant, tz) for instant in starts)
    if with_full_days:
        picker.full_days = waitlist.full_days(
            session,
            service_type_id=service_type.id,
            location_id=location.id,
            days=[
                d
                for week in month.weeks()
                for d in week
                if d and d >= local_date(now, tz) and d not in picker.open_days
            ],
            tz=tz,
            not_before=max(now, not_before or now),
            organization=organization,
        )
    if day is not None:
        day_start, day_end = day_bounds(day, tz)
        picker.slots = availability.bookable_slots(session, start=day_start, end=day_end, **ids)
    return picker


def build_day(
    session: Session,
    service_type: ServiceType,
    location: Location,
    *,
    now: datetime,
    day: date,
    not_before: datetime | None = None,
    organization: Organization | None = None,
) -> Picker:
    """Only the day's times, for a click on a day of a month already on the client's screen:
    one query, and none of the month's (its days stay as they were drawn)."""
    tz = ZoneInfo(location.timezone)
    day_start, day_end = day_bounds(day, tz)
    picker = Picker(
        service_type, location, Month.of(day), Month.of(local_date(now, tz)), set(), day
    )
    picker.slots = availability.bookable_slots(
        session,
        service_type_id=service_type.id,
        location_id=location.id,
        start=day_start,
        end=day_end,
        now=now,
        not_before=not_before,
        organization=organization,
    )
    return picker
