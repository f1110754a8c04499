"""What the promotions engine returns: the promotions applied, the ones left out and why, and
each line's price after them."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.rules.promotions.model import CartLine


@dataclass(frozen=True)
class Applied:
    """A promotion the booking gets (promotion_id None: the client's standing discount)."""

    promotion_id: int | None
    name: str
    code: str | None
    discount: int  # minor units, all lines together; 0 for a 0 % promotion (noted only)
    line_discounts: tuple[int, ...]  # one per cart line, in cart order
    uses: int  # what to record as the redemption's uses: the booking's appointments


@dataclass(frozen=True)
class NotApplied:
    """A promotion that was considered and left out, with a reason the client can read."""

    promotion_id: int | None
    name: str
    code: str | None
    reason: str


@dataclass(frozen=True)
class PricedLine:
    line: CartLine
    discount: int  # all promotions together; never more than the line's gross

    @property
    def amount(self) -> int:
        return self.line.gross - self.discount


@dataclass(frozen=True)
class Outcome:
    lines: tuple[PricedLine, ...]  # in cart order
    applied: tuple[Applied, ...]  # in the order they were applied
    not_applied: tuple[NotApplied, ...] = field(default=())

    @property
    def subtotal(self) -> int:
        return sum(priced.line.gross for priced in self.lines)

    @property
    def discount(self) -> int:
        return sum(priced.discount for priced in self.lines)

    @property
    def total(self) -> int:
        return self.subtotal - self.discount
