"""Column helpers shared by the model modules."""

from __future__ import annotations

import enum
import secrets
from typing import Any

from sqlalchemy import Enum


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, storing the members' values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


def new_public_id(*_: Any) -> str:
    """An unguessable id for URLs a client sees (22 url-safe characters, 128 bits)."""
    return secrets.token_urlsafe(16)
