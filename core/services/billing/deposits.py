"""Customer deposits: a client's deposits, and applying one to the same client's invoice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.models import Client, Deposit, DepositApplication
from core.services.billing._shared import (
    MAX_ID,
    DepositNotApplicable,
    ExceedsDeposit,
    InvalidAmount,
    lock,
    money_text,
    sum_of,
    transaction,
)
from core.services.billing.invoices import check_within_balance, locked_balance
from core.services.errors import NotFound


def find_client(session: Session, client_id: int) -> Client:
    """The client. Raises NotFound."""
    client = session.get(Client, client_id) if client_id <= MAX_ID else None
    if client is None:
        raise NotFound("We could not find that client.")
    return client


def client_deposits(session: Session, client_id: int) -> list[Deposit]:
    """The client's deposits, newest first, each with its applications and their invoices."""
    stmt = (
        select(Deposit)
        .where(Deposit.client_id == client_id)
        .options(selectinload(Deposit.applications).joinedload(DepositApplication.invoice))
        .order_by(Deposit.created_at.desc(), Deposit.id.desc())
    )
    return list(session.scalars(stmt))


def apply_deposit(
    session: Session,
    *,
    deposit_id: int,
    invoice_id: int,
    amount: int,
    staff_id: int | None,
    now: datetime,
) -> DepositApplication:
    """Apply part or all of a client's deposit to one of the same client's invoices.

    Locks the invoice, then the deposit (always in that order, so two applications never wait
    on each other in a circle), then checks: concurrent applications of one deposit never take
    more than it holds. Raises NotFound, InvalidAmount, DepositNotApplicable (another client's
    deposit, another currency), ExceedsDeposit or ExceedsBalance.
    """
    if amount <= 0:
        raise InvalidAmount()
    with transaction(session):
        invoice, balance = locked_balance(session, invoice_id)
        deposit = lock(session, Deposit, deposit_id)
        if deposit is None:
            raise NotFound("We could not find that deposit.")
        if deposit.client_id != invoice.client_id:
            raise DepositNotApplicable("This deposit belongs to another client.")
        if deposit.currency != invoice.currency:
            raise DepositNotApplicable(
                f"This deposit is in {deposit.currency} and the invoice in {invoice.currency}."
            )
        applied = session.scalar(
            select(sum_of(DepositApplication.amount)).where(
                DepositApplication.deposit_id == deposit.id
            )
        )
        remaining = deposit.amount - int(applied or 0)
        if remaining <= 0:
            raise ExceedsDeposit("This deposit has been applied in full: nothing is left on it.")
        if amount > remaining:
            left = money_text(session, remaining, deposit.currency)
            raise ExceedsDeposit(f"Only {left} is left on this deposit. Enter {left} or less.")
        check_within_balance(session, invoice, amount, balance)
        application = DepositApplication(
            deposit_id=deposit.id,
            invoice_id=invoice.id,
            amount=amount,
            recorded_by_id=staff_id,
            created_at=now,
        )
        session.add(application)
    return application
