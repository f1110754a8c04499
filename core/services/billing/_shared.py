"""What the billing operations share: their failures, one transaction each, row locks, amounts
in words."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.models import Deposit, Invoice, Payment
from core.money import format_money
from core.services import studio_rows
from core.services.errors import BookingError

MANUAL = "manual"  # the gateway name of payments staff record by hand
MAX_ID = 2**31 - 1  # ids past an INTEGER column's range match nothing (and must not overflow)


class InvalidAmount(BookingError):
    default_message = "Enter an amount greater than zero."


class InvalidChoice(BookingError):
    default_message = "Choose one of the listed options."


class ExceedsBalance(BookingError):
    status_code = 409
    default_message = "That is more than is still owed on this invoice."


class ExceedsDeposit(BookingError):
    status_code = 409
    default_message = "That is more than is left on this deposit."


class DepositNotApplicable(BookingError):
    status_code = 409
    default_message = "This deposit cannot be applied to this invoice."


class NotRefundable(BookingError):
    status_code = 409
    default_message = "This payment cannot be refunded."


@contextmanager
def transaction(session: Session) -> Iterator[None]:
    """Commit what the block did, or roll all of it back (releasing its locks) and re-raise."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


Locked = TypeVar("Locked", Invoice, Deposit, Payment)


def lock(session: Session, entity: type[Locked], row_id: int) -> Locked | None:
    """The row, locked until the transaction ends; None if there is no such row.

    PostgreSQL locks the row (SELECT ... FOR UPDATE). SQLite ignores FOR UPDATE, so a no-op
    UPDATE first takes its write lock: concurrent writers then queue behind this transaction,
    and what it reads next is what they committed.
    """
    if row_id > MAX_ID:
        return None
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(entity)
            .where(entity.id == row_id)
            .values(id=entity.id)
            .execution_options(synchronize_session=False)
        )
    stmt = select(entity).where(entity.id == row_id).with_for_update()
    return session.scalar(stmt.execution_options(populate_existing=True))


def sum_of(column: Any) -> Any:
    """SUM(column), 0 when there are no rows."""
    return func.coalesce(func.sum(column), 0)


def money_text(session: Session, amount: int, currency: str) -> str:
    """'$125.00': an amount for a message, in the studio's locale."""
    studio = studio_rows.studio(session)
    return format_money(amount, currency, studio.locale if studio else "en_US")
