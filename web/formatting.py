"""Jinja filters for showing UTC instants in a location's timezone and money in the studio's
currency, with Babel, in the studio's locale."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from flask import Flask, g
from sqlalchemy import select

from core.models import Studio
from core.money import format_money
from web.extensions import db


def studio() -> Studio:
    """The studio row (cached per request); a default one before the studio is set up."""
    if "studio" not in g:
        g.studio = db.session.scalar(select(Studio).limit(1)) or Studio(
            name="studiobook", currency="USD", locale="en_US"
        )
    return g.studio  # type: ignore[no-any-return]


def _tz(timezone: str | ZoneInfo) -> ZoneInfo:
    return timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)


def local_time(instant: datetime, timezone: str | ZoneInfo) -> str:
    """'10:30 AM' in the location's timezone."""
    return format_time(instant, "short", tzinfo=_tz(timezone), locale=studio().locale)


def local_date(
    instant: datetime | date, timezone: str | ZoneInfo | None = None, fmt: str = "full"
) -> str:
    """'Thursday, December 3, 2026' (the local day of an instant, or a plain date)."""
    if isinstance(instant, datetime):
        instant = instant.astimezone(_tz(timezone or "UTC")).date()
    return format_date(instant, fmt, locale=studio().locale)


def timezone_label(timezone: str | ZoneInfo) -> str:
    """'Eastern Time (New York)': the generic zone name and its city, as clients say it."""
    tz = _tz(timezone)
    city = tz.key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{get_timezone_name(tz, 'long', locale=studio().locale)} ({city})"


def money(minor_units: int) -> str:
    return format_money(minor_units, studio().currency, studio().locale)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_time=local_time, local_date=local_date, timezone_label=timezone_label, money=money
    )
    app.jinja_env.globals.update(studio=studio)
