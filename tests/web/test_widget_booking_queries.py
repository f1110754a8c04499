"""What a booking asks the database (issue 9: the benchmark's `book` is the hold POST plus the
confirm POST): counted here so that no statement creeps back in unnoticed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.models import (
    Booking,
    DiscountKind,
    Invoice,
    InvoiceLine,
    OutboxMessage,
    PriceCategory,
    Promotion,
    PromotionQualifier,
    Redemption,
    StaffNotice,
)
from core.services import read_cache
from tests.conftest import NOW
from tests.web.helpers import at, count_queries, log_in_client


def _listing(statements: list[str]) -> str:
    return "\n".join(" ".join(s.split())[:90] for s in statements)


def _limited_auto_promotion(make: Any) -> Promotion:
    """10% off the session fee, applied by itself, at most 100 times (so its uses are counted
    under a lock)."""
    row = make._save(
        Promotion(
            name="Ten off",
            external_id="TEN",
            auto_apply=True,
            discount_kind=DiscountKind.PERCENT,
            percent=10,
            max_uses=100,
            created_at=NOW,
        )
    )
    make._save(PromotionQualifier(promotion_id=row.id, category=PriceCategory.SESSION_FEE))
    return row


def test_holding_a_time_is_one_conditional_update(web, make, app_engine):
    """The slot's type, its context, the booking notice and its state are all conditions of
    the one UPDATE; nothing reads the slot first, nor the client (the session names them).
    Besides it: the type behind the link and the studio's rows, unless this process keeps them."""
    make.studio()
    slot = make.slot(at(2026, 12, 3, 15), service_types=[make.service_type(slug="fam")])
    keeps = read_cache.keeps(app_engine, wait=10)
    log_in_client(web, make.client())
    web.get("/book/fam")  # the studio's rows and the type kept, if this process keeps them
    with count_queries(app_engine) as statements:
        response = web.post("/book/fam/hold", {"slot_id": slot.id})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert not any(s.lstrip().startswith("SELECT time_slot") for s in statements)
    assert sum(s.lstrip().startswith("UPDATE time_slot") for s in statements) == 1
    # On PostgreSQL the hold's transaction also says it need not wait for the disk.
    relaxed = app_engine.dialect.name == "postgresql"
    assert not any(s.lstrip().startswith("SELECT client") for s in statements)
    assert len(statements) == (1 if keeps else 3) + relaxed, _listing(statements)


def test_confirming_reads_each_row_once_and_writes_in_few_statements(
    web, make, priced_offer, app_engine, db_session
):
    """Confirming a booking with an invoice and an automatic promotion, nothing due online: priced
    once, under the locks (the review step showed the price), the promotions and the type's
    price list items read once, the uses counted only for the promotion with a limit, after its
    lock; the booking, invoice, redemption, staff notice and mail written without reading
    anything back."""
    make.studio()
    make.staff()
    _limited_auto_promotion(make)
    first = priced_offer(None)
    slot = make.slot(at(2026, 12, 4, 15), service_types=list(first.service_types))
    keeps = read_cache.keeps(app_engine, wait=10)
    log_in_client(web, make.client())
    for warm in (True, False):  # the first booking fills the process's cache, if it keeps one
        if warm:
            web.post("/book/fam/hold", {"slot_id": first.id})
            web.get("/book/checkout")
            assert web.post("/book/confirm").status_code == 303
    web.post("/book/fam/hold", {"slot_id": slot.id})
    web.get("/book/checkout")
    with count_queries(app_engine) as statements:
        response = web.post("/book/confirm")
    assert response.status_code == 303 and "/book/confirmed/" in response.location
    # The promotions and the type's items: kept by the process, if it keeps rows.
    once = 0 if keeps else 1
    assert sum(s.startswith("SELECT promotion.id, promotion.name") for s in statements) == once
    assert sum("FROM service_type_item" in s for s in statements) == once
    # The limited promotion's uses: under its lock only (the review step showed the price).
    assert sum("FROM redemption " in s for s in statements) == 1
    assert not any("FROM redemption_line" in s for s in statements)
    # The held slot: read once, by the check before the view and the view together.
    assert sum(s.startswith("SELECT time_slot") for s in statements) == 1
    # Nothing is read back after the commit (the redirect needs only the booking's public id).
    # Eleven reads are answered by the process's cache if it keeps one: the studio's rows, the
    # type, the questions to ask, the staff to tell, the invoice preferences, the type's items
    # (2) and the promotions (4). The mail's wording is not read: the sender writes the mail.
    # Who waits on the waiting list is kept too: this client waits for nothing, so the booking
    # does not write to it.
    # The invoice is priced before it is written: its lines go in with their discounts and the
    # promotion's note line, in one statement (SQLite: one at a time), and none is updated after.
    assert not any(s.startswith("UPDATE invoice_line") for s in statements)
    sqlite = app_engine.dialect.name == "sqlite"
    assert len(statements) == 13 + (0 if keeps else 12) + 2 * sqlite, _listing(statements)
    assert any(s.startswith("UPDATE waitlist_entry") for s in statements) is not keeps
    booking = db_session.scalars(select(Booking).where(Booking.slot_id == slot.id)).one()
    redemption = db_session.scalars(
        select(Redemption).where(Redemption.booking_id == booking.id)
    ).one()
    assert len(redemption.lines) == 1
    lines = db_session.scalars(
        select(InvoiceLine)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.booking_id == booking.id)
        .order_by(InvoiceLine.position)
    ).all()
    assert [line.discount for line in lines] == [1500, 0, 0]
    assert lines[-1].description == "Promotion: Ten off"
    assert len(db_session.scalars(select(StaffNotice)).all()) == 2
    mails = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(mails) == 2 and mails[-1].booking_id == booking.id
