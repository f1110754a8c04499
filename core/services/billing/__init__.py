"""Staff-side money operations on invoices: list and read them, record payments taken outside the
card processor, apply customer deposits, refund payments, change an invoice's status.

Every change is a new row (a Payment, a DepositApplication, a PaymentRefund); no amount is ever
overwritten, so an invoice's history reads back from its rows. Operations that consume money (an
invoice's balance, a deposit's remainder, a payment's refundable amount) lock the row they draw
on, check again under the lock, then write; each runs one transaction of its own.
"""

from core.services.billing._shared import (
    MANUAL,
    DepositNotApplicable,
    ExceedsBalance,
    ExceedsDeposit,
    InvalidAmount,
    InvalidChoice,
    NotRefundable,
)
from core.services.billing.deposits import apply_deposit, client_deposits, find_client
from core.services.billing.invoices import (
    InvoiceRow,
    active_choices,
    get_invoice,
    invoice_summary,
    list_invoices,
    record_manual_payment,
    set_invoice_status,
)
from core.services.billing.refunds import refund_payment, refundable, retry_refund

__all__ = [
    "MANUAL",
    "DepositNotApplicable",
    "ExceedsBalance",
    "ExceedsDeposit",
    "InvalidAmount",
    "InvalidChoice",
    "InvoiceRow",
    "NotRefundable",
    "active_choices",
    "apply_deposit",
    "client_deposits",
    "find_client",
    "get_invoice",
    "invoice_summary",
    "list_invoices",
    "record_manual_payment",
    "refund_payment",
    "refundable",
    "retry_refund",
    "set_invoice_status",
]
