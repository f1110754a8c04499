"""What the app asks of a card processor, whichever one the studio uses, and what it gets back.

Amounts are integer minor units; currencies are upper-case ISO 4217 codes. Every call that moves
money carries an idempotency key: the same key never moves money twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from core.money import format_money
from core.services.errors import BookingError


class PaymentDeclined(BookingError):
    """The processor refused the card; `str(error)` says why in words a client can read."""

    status_code = 402
    default_message = "Your card was declined. Please use another card."


class GatewayUnavailable(BookingError):
    """The processor failed or did not answer; nothing is known to have been charged."""

    status_code = 502
    default_message = (
        "The card processor did not answer. You have not been charged; please try again."
    )


class RefundRefused(BookingError):
    """The processor will not refund that amount (more than is left, or nothing was paid)."""

    status_code = 409
    default_message = "This payment cannot be refunded by that amount."


NO_SUCH_PAYMENT = "There is no payment with that reference to refund."
NOT_PAID = "This payment did not go through, so there is nothing to refund."
FULLY_REFUNDED = "This payment has already been refunded in full."
REFUND_UNAVAILABLE = "The card processor did not answer. No refund was made; please try again."


def refund_too_large(left: int, asked: int, currency: str) -> RefundRefused:
    """The refusal of a refund of `asked` when only `left` remains on the payment."""
    if left <= 0:
        return RefundRefused(FULLY_REFUNDED)
    return RefundRefused(
        f"Only {format_money(left, currency)} of this payment can still be refunded, "
        f"less than the {format_money(asked, currency)} asked for."
    )


class IdempotencyConflict(BookingError):
    """An idempotency key came back with a different request: a bug in the caller, shown kindly."""

    status_code = 409
    default_message = (
        "This payment was already started with different details. "
        "Please reload the page and try again."
    )


def declined_message(reason: str) -> str:
    """The one wording of a decline: "Your card was declined: insufficient funds." """
    return f"Your card was declined: {reason}."


@dataclass(frozen=True)
class CardDetails:
    """A card typed into the test-mode form. Never stored and never logged (hidden from repr)."""

    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)
    name: str = ""


@dataclass(frozen=True)
class ChargeRequest:
    """One attempt to take `amount` from a card; retried with the same `idempotency_key`."""

    amount: int
    currency: str
    idempotency_key: str
    description: str
    card: CardDetails | None = None
    payment_method: str | None = None

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError(f"amount must be positive, not {self.amount}")
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValueError(f"currency must be an ISO 4217 code, not {self.currency!r}")
        if not 0 < len(self.idempotency_key) <= 255:
            raise ValueError("idempotency_key must have 1 to 255 characters")


@dataclass(frozen=True)
class Charge:
    """What the processor did with a charge request."""

    reference: str
    amount: int
    currency: str
    status: str  # "succeeded" | "failed"
    card_brand: str = ""
    last4: str = ""
    failure_message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class Refund:
    """Money given back on a charge: all of it or part."""

    reference: str
    charge_reference: str
    amount: int


class Gateway(Protocol):
    """A card processor. Implementations: TestModeGateway ("test"), StripeGateway ("stripe")."""

    name: str

    def charge(self, request: ChargeRequest) -> Charge:
        """The succeeded Charge for this request's key, made now or earlier.

        Raises PaymentDeclined (with the reason; a declined key declines again) or
        GatewayUnavailable. Never charges twice for one idempotency key.
        """
        ...

    def find_charge(self, idempotency_key: str) -> Charge | None:
        """What the processor knows for this key (succeeded or failed); None if it never charged.

        For reconciliation after a crash between the charge and the app's commit.
        """
        ...

    def refund(self, charge_reference: str, amount: int, idempotency_key: str) -> Refund:
        """Give back `amount` (all or part of what is left) of a succeeded charge.

        Idempotent per key. Raises RefundRefused when the amount exceeds what is left or the
        charge did not succeed, GatewayUnavailable when the processor fails.
        """
        ...
