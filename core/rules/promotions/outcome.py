"""What the promotions engine returns: the promotions applied, the ones left out and why, and
each line's price after them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from core.rules.promotions.model import CartLine

_T = TypeVar("_T")


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


# The engine makes a line's price and each applied promotion in every evaluation. A frozen
# dataclass's __init__ sets each field through object.__setattr__ (a call per field); these
# fill the instance's __dict__ directly, which makes the very same object (equal, hashed and
# printed alike) in about half the time. Only for the classes above: no __post_init__, no
# defaults, nothing worked out when they are made.
_new = object.__new__


def priced_line(line: CartLine, discount: int) -> PricedLine:
    """`PricedLine(line, discount)`, made without the frozen dataclass's __init__."""
    priced = _new(PricedLine)
    fields = priced.__dict__
    fields["line"] = line
    fields["discount"] = discount
    return priced


def applied(
    promotion_id: int | None,
    name: str,
    code: str | None,
    discount: int,
    line_discounts: tuple[int, ...],
    uses: int,
) -> Applied:
    """`Applied(...)` with the same fields, made without the frozen dataclass's __init__."""
    made = _new(Applied)
    fields = made.__dict__
    fields["promotion_id"] = promotion_id
    fields["name"] = name
    fields["code"] = code
    fields["discount"] = discount
    fields["line_discounts"] = line_discounts
    fields["uses"] = uses
    return made


class Deferred(Generic[_T]):
    """A dataclass field given as its value, or as a function that makes the value when the field
    is first read. The engine words why promotions were left out only for callers who ask."""

    def __init__(self, default: _T) -> None:
        self.default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = f"_{name}"

    @overload
    def __get__(self, instance: None, owner: Any) -> _T: ...
    @overload
    def __get__(self, instance: object, owner: Any) -> _T: ...
    def __get__(self, instance: object | None, owner: Any = None) -> _T:
        if instance is None:  # the dataclass asks for the default
            return self.default
        value = instance.__dict__[self.name]
        if callable(value):
            value = instance.__dict__[self.name] = value()
        return value  # type: ignore[no-any-return]

    def __set__(self, instance: object, value: _T | Callable[[], _T]) -> None:
        instance.__dict__[self.name] = value


@dataclass(frozen=True)
class Outcome:
    lines: tuple[PricedLine, ...]  # in cart order
    applied: tuple[Applied, ...]  # in the order they were applied
    # A tuple, worked out when first read (equality, repr and copies read it too).
    not_applied: Deferred[tuple[NotApplied, ...]] = Deferred(())

    @property
    def subtotal(self) -> int:
        return sum(priced.line.gross for priced in self.lines)

    @property
    def discount(self) -> int:
        return sum(priced.discount for priced in self.lines)

    @property
    def total(self) -> int:
        return self.subtotal - self.discount


def outcome(
    lines: tuple[PricedLine, ...],
    applied: tuple[Applied, ...],
    not_applied: Callable[[], tuple[NotApplied, ...]],
) -> Outcome:
    """`Outcome(lines, applied, not_applied)` with the reasons worded when first read, made
    without the frozen dataclass's __init__ (as `priced_line`): the reasons go where `Deferred`
    keeps them."""
    made = _new(Outcome)
    fields = made.__dict__
    fields["lines"] = lines
    fields["applied"] = applied
    fields["_not_applied"] = not_applied  # Deferred's own name for the field
    return made
