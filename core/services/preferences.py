"""Reading the studio's online booking preferences; defaults until staff save them.

Writers (the admin's tabs) add their update functions here, each validating its own tab.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from core.models import KindPreferences, OnlinePreferences, ServiceKind

M = TypeVar("M")


def with_defaults(model: type[M], **values: Any) -> M:
    """An unsaved row whose attributes already hold the columns' Python defaults."""
    row = model(**values)
    for column in inspect(model).columns:
        if column.key in values or column.default is None or not column.default.is_scalar:
            continue
        setattr(row, column.key, column.default.arg)
    return row


def online_preferences(session: Session) -> OnlinePreferences:
    """The studio-wide preferences row; an unsaved one with the defaults before the first save."""
    return session.scalar(select(OnlinePreferences).limit(1)) or with_defaults(OnlinePreferences)


def kind_preferences(session: Session, kind: ServiceKind) -> KindPreferences:
    """The Sessions or Appointments tab; defaults (no limits, no questions) until saved."""
    return session.get(KindPreferences, kind) or with_defaults(KindPreferences, kind=kind)
