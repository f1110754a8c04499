"""Promotion codes: their form, the answer to a typed one, and promotion states for staff."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core.rules.promotions import messages
from core.rules.promotions.engine import apply_promotions
from core.rules.promotions.model import (
    BookingFacts,
    CartLine,
    ClientFacts,
    Offer,
    Promotion,
    Settings,
    Usage,
)
from core.rules.promotions.outcome import Outcome

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


@dataclass(frozen=True)
class CodeCheck:
    """What the widget says about the code the client typed."""

    applied: bool
    message: str
    outcome: Outcome | None  # None for an unknown code


def check_code(
    offer: Offer | None,
    cart: Sequence[CartLine],
    client: ClientFacts | None,
    booking: BookingFacts,
    others: Sequence[Offer] = (),
    settings: Settings | None = None,
) -> CodeCheck:
    """The widget's message for a typed code, given the other offers in play (the autos).

    Pass None for a code nobody knows: it gets the same message as a code that is not valid
    for this service type, resource or location, or for nothing in the cart.
    """
    if offer is None:
        return CodeCheck(False, messages.unknown_code(), None)
    settings = settings or Settings()
    outcome = apply_promotions(cart, client, booking, [*others, offer], settings)
    code = offer.code or ""
    for applied in outcome.applied:
        if applied.promotion_id == offer.promotion.id and applied.code == offer.code:
            return CodeCheck(True, messages.code_applied(code, applied.discount, settings), outcome)
    reason = next(
        n.reason
        for n in outcome.not_applied
        if n.promotion_id == offer.promotion.id and n.code == offer.code
    )
    return CodeCheck(False, reason, outcome)


def nothing_to_pay(outcome: Outcome) -> bool:
    """Whether the booking's total is zero (checkout is skipped)."""
    return outcome.total == 0


def paid_with_coupon(outcome: Outcome) -> bool:
    """Whether promotions took the whole price: the booking is marked "paid with coupon"."""
    return outcome.total == 0 and outcome.discount > 0
