"""Rows kept for one transaction (core/services/per_transaction): read once, read afresh after
the transaction or after a flush that wrote one of the watched rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import DiscountKind, Promotion
from core.services import per_transaction
from tests.conftest import NOW
from tests.factories import Factory

reads: list[str] = []


def names(session: Session) -> list[str]:
    """The promotions' names, kept for the transaction (each read noted in `reads`)."""

    def load() -> list[str]:
        reads.append("read")
        return list(session.scalars(select(Promotion.name).order_by(Promotion.id)))

    return per_transaction.kept(session, "names", (Promotion,), load)


def ten_off(make: Factory) -> Promotion:
    row: Promotion = make._save(
        Promotion(
            name="Ten off", external_id="TEN", discount_kind=DiscountKind.PERCENT, created_at=NOW
        )
    )
    return row


def test_a_value_is_read_once_per_transaction(session: Session, make: Factory) -> None:
    ten_off(make)
    reads.clear()
    assert names(session) == names(session) == ["Ten off"]
    assert reads == ["read"]
    session.commit()
    names(session)
    assert reads == ["read", "read"]


def test_writing_a_watched_row_in_the_transaction_reads_it_afresh(
    session: Session, make: Factory
) -> None:
    """Staff changing a promotion and previewing it in one transaction see the change."""
    row = ten_off(make)
    assert names(session) == ["Ten off"]
    row.name = "Twenty off"
    session.flush()
    assert names(session) == ["Twenty off"]
