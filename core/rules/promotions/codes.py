"""Promotion codes (letters, digits and spaces, case-insensitive) and promotion states for staff."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from core.rules.promotions.model import Promotion, Usage

MAX_CODE_LENGTH = 40  # as long as a price list item's code (seed 000: the code is its identifier)
CODE_FORMAT = f"Use letters, digits and spaces only, up to {MAX_CODE_LENGTH} characters."
# No 0/O, 1/I/L or 5/S: generated codes are read off flyers and typed by hand.
GENERATED_ALPHABET = "ABCDEFGHJKMNPQRTUVWXYZ2346789"


def normalize_code(text: str) -> str:
    """The code as stored and compared: trimmed, inner spaces single, upper-case."""
    return " ".join(text.split()).upper()


def is_well_formed(code: str) -> bool:
    """Whether a normalized code is made of ASCII letters, digits and single spaces."""
    return (
        0 < len(code) <= MAX_CODE_LENGTH
        and code == normalize_code(code)
        and all(c.isascii() and (c.isalnum() or c == " ") for c in code)
    )


def generate_code(length: int = 8, choose: Callable[[str], str] = secrets.choice) -> str:
    """A new random code for a coded promotion whose code was left blank.

    The caller retries on the (rare) clash with an existing code; 29^8 ≈ 5·10^11 codes.
    """
    return "".join(choose(GENERATED_ALPHABET) for _ in range(length))


class State(enum.Enum):
    ACTIVE = "active"
    OFF = "off"  # switched off by staff
    SCHEDULED = "scheduled"  # its redeem window has not started
    EXPIRED = "expired"
    USED_UP = "used_up"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def state(promotion: Promotion, usage: Usage, now: datetime, timezone: str) -> State:
    """How staff see the promotion in the list; only ACTIVE ones are shown as active.

    `usage` is the promotion's (or, for a single code, that code's) counts.
    """
    if not promotion.active:
        return State.OFF
    local = now.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    redeem = promotion.redeem
    if redeem.end is not None and local >= redeem.end:
        return State.EXPIRED
    if redeem.start is not None and local < redeem.start:
        return State.SCHEDULED
    if (promotion.max_uses is not None and usage.uses >= promotion.max_uses) or (
        promotion.once and usage.bookings > 0
    ):
        return State.USED_UP
    return State.ACTIVE
