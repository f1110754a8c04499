"""A card processor's test mode, run on the app's own database: for demos, development and tests.

It behaves like a real processor in test mode. Cards are checked first (number with a correct
Luhn check digit, expiry month not past, CVC of 3 digits, 4 on American Express); a card that
fails those checks is refused before anything is recorded. Then the number decides (spaces and
dashes ignored):

=====================  ===================================================
Card number            Outcome
=====================  ===================================================
4242 4242 4242 4242    Approved (Visa)
5555 5555 5555 4444    Approved (Mastercard)
4000 0000 0000 9995    Declined: insufficient funds
4000 0000 0000 0069    Declined: the card has expired
4000 0000 0000 0127    Declined: the security code (CVC) is incorrect
4000 0000 0000 0119    Processor error: nothing charged, try again
any other valid card   Declined: not supported in test mode
=====================  ===================================================

Use any future expiry date, any 3-digit CVC and any name. `DEMO_CARDS` holds this table for
pages that show it.

The ledger lives in two tables of its own (`testmode_charge`, `testmode_refund`) written in short
transactions of its own on the engine it is given, never in the caller's: what this "processor"
charged stays charged when the caller's transaction rolls back, as with a real one, and the app
must reconcile (`find_charge`). All workers share it through the database.

On SQLite a caller must not hold a write transaction open while it charges (the ledger would
wait for the caller's lock, then report GatewayUnavailable); charging after the commit, as
gateway calls should be, never does.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, Engine, ForeignKey, String, Text, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UTCDateTime
from core.services.payments.cards import card_brand, check_card, last4, normalize_number
from core.services.payments.gateway import (
    NO_SUCH_PAYMENT,
    NOT_PAID,
    REFUND_UNAVAILABLE,
    Charge,
    ChargeRequest,
    GatewayUnavailable,
    IdempotencyConflict,
    PaymentDeclined,
    Refund,
    RefundRefused,
    declined_message,
    refund_too_large,
)

SUCCEEDED, FAILED = "succeeded", "failed"


@dataclass(frozen=True)
class DemoCard:
    """One row of the test-card table shown in demo mode."""

    number: str  # grouped by four, as printed
    outcome: str


DEMO_CARDS = (
    DemoCard("4242 4242 4242 4242", "Approved (Visa)"),
    DemoCard("5555 5555 5555 4444", "Approved (Mastercard)"),
    DemoCard("4000 0000 0000 9995", "Declined: insufficient funds"),
    DemoCard("4000 0000 0000 0069", "Declined: the card has expired"),
    DemoCard("4000 0000 0000 0127", "Declined: the security code (CVC) is incorrect"),
    DemoCard("4000 0000 0000 0119", "Processor error: nothing charged, try again"),
)

_PROCESSOR_ERROR = "4000000000000119"
_APPROVED = {"4242424242424242", "5555555555554444"}
_DECLINE_REASONS = {
    "4000000000009995": "insufficient funds",
    "4000000000000069": "the card has expired",
    "4000000000000127": "the security code (CVC) is incorrect",
}
_NOT_SUPPORTED = "this card is not supported in test mode. Please use one of the test cards"


class LedgerCharge(Base):
    """A charge the test-mode processor made or declined, one per idempotency key."""

    __tablename__ = "testmode_charge"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("status IN ('succeeded', 'failed')", name="status"),
        # The database itself refuses a refund of more than was charged.
        CheckConstraint("amount_refunded >= 0 AND amount_refunded <= amount", name="refunded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10))
    brand: Mapped[str] = mapped_column(String(20), default="")
    last4: Mapped[str] = mapped_column(String(4), default="")
    failure_message: Mapped[str] = mapped_column(Text, default="")
    amount_refunded: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def as_charge(self) -> Charge:
        return Charge(
            reference=self.reference,
            amount=self.amount,
            currency=self.currency,
            status=self.status,
            card_brand=self.brand,
            last4=self.last4,
            failure_message=self.failure_message,
        )


class LedgerRefund(Base):
    """Money the test-mode processor gave back on a charge, one per idempotency key."""

    __tablename__ = "testmode_refund"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    charge_reference: Mapped[str] = mapped_column(
        ForeignKey("testmode_charge.reference"), index=True
    )
    amount: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def as_refund(self) -> Refund:
        return Refund(
            reference=self.reference, charge_reference=self.charge_reference, amount=self.amount
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _unavailable_on_database_failure(message: str | None = None) -> Iterator[None]:
    """The ledger's database not answering (or locked) is this processor not answering."""
    try:
        yield
    except OperationalError as error:
        raise GatewayUnavailable(message) from error


class TestModeGateway:
    """The "test" gateway: a processor's test mode whose ledger is the app's database."""

    __test__ = False  # not a pytest test class, whatever its name
    name = "test"

    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._clock = clock or _utc_now

    def charge(self, request: ChargeRequest) -> Charge:
        """The succeeded Charge for the request's key, made now or by an earlier call.

        Raises PaymentDeclined for a card that fails the checks (nothing recorded) or that the
        table above declines (recorded, and declined again for the same key), GatewayUnavailable
        for the processor-error card, IdempotencyConflict if the key was used for another amount.
        """
        with _unavailable_on_database_failure():
            earlier = self._charge_row(request.idempotency_key)
            if earlier is not None:
                return _replay(earlier, request)
            if request.card is None:
                raise ValueError("test mode charges a card: set ChargeRequest.card")
            now = self._clock()
            check_card(request.card, now.date())
            number = normalize_number(request.card.number)
            if number == _PROCESSOR_ERROR:
                raise GatewayUnavailable()
            status, failure_message = _outcome(number)
            row = LedgerCharge(
                idempotency_key=request.idempotency_key,
                reference=f"ch_test_{secrets.token_hex(12)}",
                amount=request.amount,
                currency=request.currency.upper(),
                description=request.description,
                brand=card_brand(number),
                last4=last4(number),
                amount_refunded=0,
                status=status,
                failure_message=failure_message,
                created_at=now,
            )
            try:
                # Insert first and let the unique key decide between racing requests: no read
                # inside this transaction, so SQLite never has to upgrade a read lock.
                with Session(self._engine, expire_on_commit=False) as session, session.begin():
                    session.add(row)
            except IntegrityError:
                earlier = self._charge_row(request.idempotency_key)
                if earlier is None:
                    raise
                row = earlier
            return _replay(row, request)

    def find_charge(self, idempotency_key: str) -> Charge | None:
        """The charge recorded for this key, succeeded or failed; None if none was made."""
        with _unavailable_on_database_failure():
            row = self._charge_row(idempotency_key)
        return None if row is None else row.as_charge()

    def refund(self, charge_reference: str, amount: int, idempotency_key: str) -> Refund:
        """The Refund for this key, made now or by an earlier call.

        Raises RefundRefused if the charge is unknown, failed, or has less than `amount` left;
        IdempotencyConflict if the key was used for another refund.
        """
        if amount <= 0:
            raise ValueError(f"refund amount must be positive, not {amount}")
        with _unavailable_on_database_failure(REFUND_UNAVAILABLE):
            earlier = self._refund_row(idempotency_key)
            if earlier is not None:
                return _replay_refund(earlier, charge_reference, amount)
            row = LedgerRefund(
                idempotency_key=idempotency_key,
                reference=f"re_test_{secrets.token_hex(12)}",
                charge_reference=charge_reference,
                amount=amount,
                created_at=self._clock(),
            )
            try:
                with Session(self._engine, expire_on_commit=False) as session, session.begin():
                    # Take the amount with one conditional UPDATE: it locks the charge's row
                    # (the whole database on SQLite) and cannot take more than is left.
                    taken = session.connection().execute(
                        update(LedgerCharge)
                        .where(
                            LedgerCharge.reference == charge_reference,
                            LedgerCharge.status == SUCCEEDED,
                            LedgerCharge.amount_refunded + amount <= LedgerCharge.amount,
                        )
                        .values(amount_refunded=LedgerCharge.amount_refunded + amount)
                    )
                    if taken.rowcount == 1:
                        session.add(row)
            except IntegrityError:
                earlier = self._refund_row(idempotency_key)
                if earlier is None:
                    raise
                return _replay_refund(earlier, charge_reference, amount)
            if taken.rowcount == 1:
                return row.as_refund()
            # Lost a race: maybe to a request with this very key, which then stands.
            earlier = self._refund_row(idempotency_key)
            if earlier is not None:
                return _replay_refund(earlier, charge_reference, amount)
            raise self._refusal(charge_reference, amount)

    def _charge_row(self, idempotency_key: str) -> LedgerCharge | None:
        with Session(self._engine, expire_on_commit=False) as session:
            stmt = select(LedgerCharge).where(LedgerCharge.idempotency_key == idempotency_key)
            return session.scalar(stmt)

    def _refund_row(self, idempotency_key: str) -> LedgerRefund | None:
        with Session(self._engine, expire_on_commit=False) as session:
            stmt = select(LedgerRefund).where(LedgerRefund.idempotency_key == idempotency_key)
            return session.scalar(stmt)

    def _refusal(self, charge_reference: str, amount: int) -> RefundRefused:
        with Session(self._engine) as session:
            stmt = select(LedgerCharge).where(LedgerCharge.reference == charge_reference)
            charge = session.scalar(stmt)
            if charge is None:
                return RefundRefused(NO_SUCH_PAYMENT)
            if charge.status != SUCCEEDED:
                return RefundRefused(NOT_PAID)
            return refund_too_large(charge.amount - charge.amount_refunded, amount, charge.currency)


def _outcome(number: str) -> tuple[str, str]:
    """The status and failure message the test-card table gives this (valid) number."""
    if number in _APPROVED:
        return SUCCEEDED, ""
    return FAILED, declined_message(_DECLINE_REASONS.get(number, _NOT_SUPPORTED))


def _replay(row: LedgerCharge, request: ChargeRequest) -> Charge:
    if (row.amount, row.currency) != (request.amount, request.currency.upper()):
        raise IdempotencyConflict()
    if row.status != SUCCEEDED:
        raise PaymentDeclined(row.failure_message)
    return row.as_charge()


def _replay_refund(row: LedgerRefund, charge_reference: str, amount: int) -> Refund:
    if (row.charge_reference, row.amount) != (charge_reference, amount):
        raise IdempotencyConflict(
            "This refund was already started with different details. Please reload the page."
        )
    return row.as_refund()
