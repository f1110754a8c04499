"""The one place the web layer reads the time; tests set app.config["CLOCK"] to travel."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


def now() -> datetime:
    clock = current_app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)
