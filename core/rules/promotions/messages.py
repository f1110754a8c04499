"""Every sentence the engine says to a client, in one place; the widget shows them verbatim.

Sentences are English; the dates, times and amounts inside them follow the studio's locale
(Babel), e.g. "Expired on 3 March 2026." in en_GB and "Expired on March 3, 2026." in en_US.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from functools import lru_cache

from babel.dates import format_date, format_time

from core.money import format_money
from core.rules.promotions.model import (
    Qualified,
    Requirement,
    RequirementKind,
    Settings,
)
from core.rules.promotions.times import Window

# A wrong code, and a code for something that cannot be booked here, read the same: the widget
# never tells whether some other code, location or service type exists.
CODE_NOT_VALID = "This code is not valid for this booking."
ALREADY_ENTERED = "You have already entered this code."
NO_LONGER_AVAILABLE = "This promotion is no longer available."
ONLINE_ONLY = "Valid only for bookings made online."
STUDIO_ONLY = "Valid only for bookings made in the studio."
NOT_FOR_SERVICE_TYPE = "Not valid for this session type."
NOT_FOR_RESOURCE = "Not valid for this room or photographer."
NOT_AT_LOCATION = "Not valid at this location."
LOG_IN = "Log in to use this promotion."
NEW_CLIENTS_ONLY = "Only for new clients."
FIRST_APPOINTMENT_ONLY = "Only for your first appointment."
MEMBERS_ONLY = "Only for members."
USED_BY_CLIENT = "You have already used this promotion."
ALREADY_USED = "Already used."
NOTHING_QUALIFIES = "Nothing in this booking qualifies."
NO_DISCOUNT = "Gives no discount on this booking."
ONCE_PER_BOOKING = "Can be used only once per booking."
DOES_NOT_COMBINE = "Cannot be combined with your other promotions, which save you more."
CODE_REPLACES_STANDING = "Your promotion code replaces your client discount."
STANDING_DISCOUNT_NAME = "Client discount"

# Item categories as the price list names them (core.models.billing.PriceCategory values).
CATEGORY_NOUNS = {
    "session_fee": ("session fee", "session fees"),
    "product": ("product", "products"),
    "package": ("package", "packages"),
    "service": ("service", "services"),
    "gift_card": ("gift card", "gift cards"),
    "membership": ("membership", "memberships"),
    "promotional": ("promotional item", "promotional items"),
}
_DAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def _join(words: Sequence[str], conjunction: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


# Babel formatting is most of what a refusal costs; the same dates and times come back for every
# evaluation, so each is formatted once per process.
@lru_cache(maxsize=4096)
def _day(day: date, settings: Settings) -> str:
    return format_date(day, format="long", locale=settings.locale)


@lru_cache(maxsize=4096)
def _time(t: time, settings: Settings) -> str:
    return format_time(t, format="short", locale=settings.locale)


def _moment(day: date, t: time | None, settings: Settings) -> str:
    if t is None:
        return _day(day, settings)
    return f"{_day(day, settings)} at {_time(t, settings)}"


@lru_cache(maxsize=4096)
def _money(minor_units: int, settings: Settings) -> str:
    return format_money(minor_units, settings.currency, settings.locale)


def not_yet_valid(window: Window, settings: Settings) -> str:
    assert window.first_day is not None
    return f"Valid from {_moment(window.first_day, window.from_time, settings)}."


def expired(window: Window, settings: Settings) -> str:
    assert window.last_day is not None
    return f"Expired on {_moment(window.last_day, window.until_time, settings)}."


def appointments_between(window: Window, settings: Settings) -> str:
    start = window.first_day and _moment(window.first_day, window.from_time, settings)
    if window.last_day is None:
        return f"Valid only for appointments from {start}."
    if window.until_time is None:
        end = _day(window.last_day, settings)
        until = f"to {end}" if start else f"until {end}"
    else:
        until = f"until {_moment(window.last_day, window.until_time, settings)}"
    return f"Valid only for appointments {f'from {start} ' if start else ''}{until}."


def hours(start: time, end: time, settings: Settings) -> str:
    return (
        f"Valid only for appointments between {_time(start, settings)} and {_time(end, settings)}."
    )


def weekdays(days: Sequence[int]) -> str:
    return f"Valid only on {_join([_DAYS[day] for day in days], 'and')}."


def uses_left(left: int, appointments: int) -> str:
    times = "1 more time" if left == 1 else f"{left} more times"
    return f"Can be used only {times}; this booking has {appointments} appointments."


def _noun(qualified: Qualified, plural: bool) -> str:
    if qualified.label:
        return qualified.label
    if not qualified.categories and not qualified.items:
        return "items" if plural else "item"
    names = [
        CATEGORY_NOUNS.get(category, (category.replace("_", " "),) * 2)[plural]
        for category in qualified.categories
    ]
    return _join([*names, *qualified.items], "or")


def needs(requirement: Requirement, settings: Settings) -> str:
    qualified, minimum = requirement.qualified, requirement.minimum
    if requirement.kind is RequirementKind.VALUE:
        worth = _money(minimum, settings)
        return f"Needs {_noun(qualified, True)} worth at least {worth} in the booking."
    if requirement.kind is RequirementKind.IDENTICAL_ITEMS and minimum > 1:
        if qualified.label:
            return f"Needs {minimum} of the same item ({qualified.label}) in the booking."
        return f"Needs {minimum} identical {_noun(qualified, True)} in the booking."
    if qualified.label:
        count = "" if minimum == 1 else f"{minimum} × "
        return f"Needs {count}{qualified.label} in the booking."
    noun = _noun(qualified, minimum != 1)
    count = str(minimum) if minimum != 1 else "an" if noun[0] in "aeiou" else "a"
    return f"Needs {count} {noun} in the booking."


def better_offer(name: str) -> str:
    return f"{name} saves you more."


def cannot_combine_with(name: str) -> str:
    return f"Cannot be combined with {name}."


def code_applied(code: str, discount: int, settings: Settings) -> str:
    if discount == 0:
        return f"Code {code} applied; it is noted on your invoice."
    return f"Code {code} applied: {format_money(discount, settings.currency, settings.locale)} off."


def unknown_code() -> str:
    """What the widget says for a code nobody knows: the same as for a code not valid here."""
    return CODE_NOT_VALID
