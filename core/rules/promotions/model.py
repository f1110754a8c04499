"""What the promotions engine takes: the cart, the client, the booking and the promotions in play.

Each dataclass is what one database row (or one query's counts) maps to: a `Promotion` is a
promotion row with its requirement rows and benefit columns, `Usage` is three counts over the
redemption rows, `Offer` pairs them with the code the client typed. Money is integer minor units;
percentages are `Decimal` (12.5 means 12.5 %), rounded half up per line.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.rules.promotions.times import Hours, Window

_T = TypeVar("_T", int, str)


def _sorted_unique(values: tuple[_T, ...]) -> tuple[_T, ...]:
    # Sorted tuples (not sets) so equal promotions have equal, orderable reprs.
    return tuple(sorted(set(values)))


def _check_percent(percent: Decimal, what: str) -> None:
    if not Decimal(0) <= percent <= Decimal(100):
        raise ValueError(f"{what} must be between 0 and 100, not {percent}")


@dataclass(frozen=True)
class CartLine:
    """One line of the booking's cart: an invoice line or an add-on, before any promotion."""

    item: str  # the price list item's code; lines with the same code are identical items
    category: str  # a PriceCategory value: "session_fee", "package", "product", ...
    quantity: int
    unit_price: int  # minor units

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValueError(f"quantity must be at least 1, not {self.quantity}")
        if self.unit_price < 0:
            raise ValueError(f"unit price must not be negative, not {self.unit_price}")

    @property
    def gross(self) -> int:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class ClientFacts:
    """What the studio knows about the client who books (None instead: not logged in yet)."""

    is_new: bool = True  # the studio counts them as a new client
    is_member: bool = False  # holds a membership
    earlier_bookings: int = 0  # bookings before this one, cancelled ones left out
    # Seed 003's permanent discount: a percentage staff set on the client; 0 for none.
    standing_discount: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        _check_percent(self.standing_discount, "standing discount")


@dataclass(frozen=True)
class BookingFacts:
    """The booking being made: what, where, when, and how."""

    service_type_id: int
    location_id: int
    resource_id: int | None
    slot_start: datetime  # aware
    booked_at: datetime  # aware: the moment the promotion is redeemed (now)
    timezone: str  # the location's IANA timezone: wall-clock rules are read in it
    online: bool = True  # False: staff book it in the studio
    appointments: int = 1  # a repeating booking makes several; each counts as a use
    # When the booking is made and when the appointment starts, on the location's wall clock
    # (naive); worked out from the fields above.
    local_booked_at: datetime = field(init=False, repr=False, compare=False)
    local_slot_start: datetime = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # utcoffset() is None for a naive datetime (and for a tzinfo that gives no offset).
        if self.slot_start.utcoffset() is None:
            raise ValueError("slot_start must be timezone-aware")
        if self.booked_at.utcoffset() is None:
            raise ValueError("booked_at must be timezone-aware")
        if self.appointments < 1:
            raise ValueError("a booking has at least one appointment")
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not an IANA timezone: {self.timezone!r}") from None
        # Read once per booking, not once per promotion: every promotion's wall-clock rules
        # compare against these two.
        local = self.booked_at.astimezone(zone).replace(tzinfo=None)
        object.__setattr__(self, "local_booked_at", local)
        local = self.slot_start.astimezone(zone).replace(tzinfo=None)
        object.__setattr__(self, "local_slot_start", local)


class Channel(enum.Enum):
    ANYWHERE = "anywhere"
    ONLINE = "online"  # only bookings the client makes in the widget
    STUDIO = "studio"  # only bookings staff make in the admin


@dataclass(frozen=True)
class Qualified:
    """Which items count ("qualified items"): these categories or these item codes; none: all.

    `label` names them in messages ("Detox Facial"); without it the categories are named.
    """

    categories: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", _sorted_unique(self.categories))
        object.__setattr__(self, "items", _sorted_unique(self.items))

    def matches(self, line: CartLine) -> bool:
        if not self.categories and not self.items:
            return True
        return line.category in self.categories or line.item in self.items


class RequirementKind(enum.Enum):
    ITEMS = "items"  # at least N qualified items
    IDENTICAL_ITEMS = "identical_items"  # at least N of one and the same qualified item
    VALUE = "value"  # qualified lines worth at least N minor units together


@dataclass(frozen=True)
class Requirement:
    kind: RequirementKind
    minimum: int  # an item count, or minor units for VALUE
    qualified: Qualified = Qualified()

    def __post_init__(self) -> None:
        if self.minimum < 1:
            raise ValueError(f"a requirement's minimum must be at least 1, not {self.minimum}")


class DiscountKind(enum.Enum):
    PERCENT = "percent"
    AMOUNT = "amount"  # minor units off
    FREE = "free"
    SET_PRICE = "set_price"  # the items cost this much instead


# Enum members read once: looking one up on its class costs more than the check it is for.
_PERCENT_OFF, _AMOUNT_OFF = DiscountKind.PERCENT, DiscountKind.AMOUNT


class ApplyTo(enum.Enum):
    # The benefit once over the criteria items together: $30 off the packages, 20 % off them.
    CRITERIA_ITEMS = "criteria_items"
    # The benefit on each criteria item separately: $10 off each package, each at $50.
    EACH_ITEM = "each_item"
    # The benefit on each of other items (Benefit.qualified) than those the criteria needed.
    OTHER_ITEMS = "other_items"


@dataclass(frozen=True)
class Benefit:
    """What the promotion gives, and on which items.

    Without requirements, CRITERIA_ITEMS and EACH_ITEM take the items `qualified` names (all by
    default); with requirements they take every item a requirement qualifies. `up_to` caps the
    number of items (units, not lines) discounted; cheapest first unless the studio prefers highest.
    """

    kind: DiscountKind
    percent: Decimal = Decimal(0)  # PERCENT
    amount: int = 0  # AMOUNT: minor units off; SET_PRICE: the price
    apply_to: ApplyTo = ApplyTo.CRITERIA_ITEMS
    up_to: int | None = None
    qualified: Qualified = Qualified()

    def __post_init__(self) -> None:
        _check_percent(self.percent, "percent")
        if self.amount < 0:
            raise ValueError(f"amount must not be negative, not {self.amount}")
        if self.up_to is not None and self.up_to < 1:
            raise ValueError(f"up to must be at least 1 item, not {self.up_to}")

    @property
    def gives_nothing_by_design(self) -> bool:
        """A 0 % or $0 promotion: valid, noted on the invoice, the benefit handled outside."""
        kind = self.kind
        if kind is _PERCENT_OFF:
            return not self.percent
        return kind is _AMOUNT_OFF and self.amount == 0


@dataclass(frozen=True)
class Promotion:
    """A promotion row: validity, restrictions, criteria and benefit.

    Coded promotions (auto_apply False) come into play only through a typed code; a promotion
    may hold a batch of codes. Use limits (`max_uses`, `once`) count per code for a coded
    promotion (each voucher of a batch has its own) and per promotion for an auto-applied one.
    """

    id: int
    name: str  # the client sees it on the invoice and in messages
    benefit: Benefit
    auto_apply: bool = False
    active: bool = True  # staff switched it on
    redeem: Window = field(default_factory=Window)  # when the booking is made
    appointment: Window = field(default_factory=Window)  # when the appointment starts
    hours: Hours | None = None  # time of day of the appointment
    weekdays: tuple[int, ...] = ()  # of the appointment, 0 = Monday; none: every day
    service_type_ids: tuple[int, ...] = ()  # none: every service type
    resource_ids: tuple[int, ...] = ()
    location_ids: tuple[int, ...] = ()
    # "N times": at most N appointments, repeats of a repeating booking included.
    max_uses: int | None = None
    # "once": in one booking only, though all of that booking's repeats get it.
    once: bool = False
    once_per_client: bool = False
    first_appointment_only: bool = False
    new_clients_only: bool = False
    membership_required: bool = False
    channel: Channel = Channel.ANYWHERE
    one_use_per_booking: bool = False  # at most one of its codes per booking
    combinable: bool = True  # False: it applies alone, no other promotion or discount with it
    requirements: tuple[Requirement, ...] = ()

    def __post_init__(self) -> None:
        weekdays = _sorted_unique(self.weekdays)
        if any(not 0 <= day <= 6 for day in weekdays):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday): {weekdays}")
        object.__setattr__(self, "weekdays", weekdays)
        for name in ("service_type_ids", "resource_ids", "location_ids"):
            object.__setattr__(self, name, _sorted_unique(getattr(self, name)))
        if self.max_uses is not None and self.max_uses < 1:
            raise ValueError(f"max uses must be at least 1, not {self.max_uses}")

    @property
    def needs_client(self) -> bool:
        """Whether its restrictions can only be checked for a logged-in client."""
        return (
            self.once_per_client
            or self.first_appointment_only
            or self.new_clients_only
            or self.membership_required
        )


@dataclass(frozen=True)
class Usage:
    """Counts over the redemptions the caller read; the engine never counts by itself.

    For a coded promotion `uses` and `bookings` are the typed code's own; for an auto-applied
    one, the promotion's. Cancelled bookings' redemptions are released, so not counted.
    """

    uses: int = 0  # appointments discounted so far, repeats included
    bookings: int = 0  # bookings so far (a repeating booking counts once)
    client_uses: int = 0  # this client's earlier bookings with the promotion, any code


@dataclass(frozen=True)
class Offer:
    """A promotion in play: an auto-applied one, or a coded one with the code the client typed."""

    promotion: Promotion
    usage: Usage = Usage()
    code: str | None = None  # normalized (codes.normalize_code)

    def __post_init__(self) -> None:
        if self.promotion.auto_apply and self.code is not None:
            raise ValueError(f"{self.promotion.name!r} is auto-applied: it has no code")
        if not self.promotion.auto_apply and self.code is None:
            raise ValueError(f"{self.promotion.name!r} comes into play only through its code")


@dataclass(frozen=True)
class Settings:
    """The studio's settings the engine reads."""

    locale: str = "en_US"  # for dates, times and money in messages (Babel)
    currency: str = "USD"
    # MyTime's "Apply Promotions in Order of Highest to Lowest Item Cost".
    highest_first: bool = False
