"""What a booking's invoice holds and what is due online now, as plain values.

Seed 002: an auto-created invoice gets the service type's price list items (none still makes an
invoice, for 0). Online payment is one of three options: a listed amount towards the invoice, the
invoice's full amount (what a promotion-reduced invoice needs), or a customer deposit.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    code: str
    description: str
    category: str
    quantity: int
    unit_price: int
    discount: int = 0

    @property
    def amount(self) -> int:
        """quantity × unit price less the discount, never below zero."""
        return max(self.quantity * self.unit_price - self.discount, 0)


def total(lines: Iterable[Line]) -> int:
    return sum(line.amount for line in lines)


class DueKind(enum.Enum):
    NOTHING = "nothing"
    INVOICE = "invoice"  # a payment applied to the booking's invoice
    DEPOSIT = "deposit"  # a customer deposit, applied to an invoice later by staff


@dataclass(frozen=True)
class DueNow:
    amount: int
    kind: DueKind
    reason: str  # why, in words a client reads on the review step


class BillingSetupError(ValueError):
    """The service type's billing settings contradict each other (staff must fix them)."""


def due_now(
    *,
    online_payment_required: bool,
    payment_option: str | None,
    payment_amount: int | None,
    auto_create_invoice: bool,
    invoice_total: int,
) -> DueNow:
    """What the client pays online to book, and why.

    `payment_option` is "listed_amount", "full_amount", "deposit" or None. A listed amount is
    capped at the invoice total (a promotion may have lowered it); an amount of 0 skips payment.
    Raises BillingSetupError for settings that cannot work (an invoice payment with no invoice).
    """
    if not online_payment_required:
        return DueNow(0, DueKind.NOTHING, "Nothing to pay now.")
    if payment_option == "deposit":
        amount = payment_amount or 0
        reason = "A deposit, kept on your account and applied to your invoice by the studio."
        return DueNow(amount, DueKind.DEPOSIT if amount else DueKind.NOTHING, reason)
    if payment_option not in ("listed_amount", "full_amount"):
        raise BillingSetupError("online payment is required but no payment option is chosen")
    if not auto_create_invoice:
        raise BillingSetupError("an invoice payment needs 'auto-create invoice'")
    if payment_option == "full_amount":
        amount, reason = invoice_total, "The full amount of your invoice."
    else:
        amount = min(payment_amount or 0, invoice_total)
        reason = "A payment towards your invoice; the rest is due at the studio."
        if amount == invoice_total:
            reason = "The full amount of your invoice."
    if amount == 0:
        return DueNow(0, DueKind.NOTHING, "Nothing to pay: your invoice total is zero.")
    return DueNow(amount, DueKind.INVOICE, reason)


def balance(*, lines_total: int, paid: int, refunded: int, deposits_applied: int) -> int:
    """What is still owed on an invoice (negative when the client paid more than the total)."""
    return lines_total - paid + refunded - deposits_applied
