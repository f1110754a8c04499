"""Jinja filters for showing UTC instants in a location's timezone and money in the studio's
currency, with Babel, in the studio's locale."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from flask import Flask

from core.models import Studio
from core.money import format_money
from core.services import studio_rows
from web.extensions import db


def studio() -> Studio:
    """The studio row (read once per transaction); a default one before the studio is set up."""
    return studio_rows.studio(db.session) or Studio(
        name="studiobook", currency="USD", locale="en_US"
    )


def _tz(timezone: str | ZoneInfo) -> ZoneInfo:
    return timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)


# Babel's formatting is pure and costs tens of microseconds a call; a month of the slot picker
# asks for the same days, times and zone names over and over (issue 9), so answers are kept.
@lru_cache(maxsize=4096)
def _time_text(instant: datetime, tz: ZoneInfo, locale: str) -> str:
    return format_time(instant, "short", tzinfo=tz, locale=locale)


@lru_cache(maxsize=4096)
def _date_text(day: date, fmt: str, locale: str) -> str:
    return format_date(day, fmt, locale=locale)


@lru_cache(maxsize=256)
def _zone_text(tz: ZoneInfo, locale: str) -> str:
    city = tz.key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{get_timezone_name(tz, 'long', locale=locale)} ({city})"


def local_time(instant: datetime, timezone: str | ZoneInfo) -> str:
    """'10:30 AM' in the location's timezone."""
    return _time_text(instant, _tz(timezone), studio().locale)


def local_date(
    instant: datetime | date, timezone: str | ZoneInfo | None = None, fmt: str = "full"
) -> str:
    """'Thursday, December 3, 2026' (the local day of an instant, or a plain date)."""
    if isinstance(instant, datetime):
        instant = instant.astimezone(_tz(timezone or "UTC")).date()
    return _date_text(instant, fmt, studio().locale)


def timezone_label(timezone: str | ZoneInfo) -> str:
    """'Eastern Time (New York)': the generic zone name and its city, as clients say it."""
    return _zone_text(_tz(timezone), studio().locale)


def money(minor_units: int) -> str:
    return format_money(minor_units, studio().currency, studio().locale)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_time=local_time, local_date=local_date, timezone_label=timezone_label, money=money
    )
    app.jinja_env.globals.update(studio=studio)
