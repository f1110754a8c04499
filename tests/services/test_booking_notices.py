"""Staff notices about bookings (issue 7): who gets one on the home screen, who an email copy,
and that they exist exactly when the booking, cancellation or failed payment does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import (
    BookedVia,
    NoticeKind,
    NoticeSetting,
    OutboxMessage,
    PaymentOption,
    PriceCategory,
    PriceListItem,
    ServiceTypeItem,
    StaffNotice,
)
from core.services import booking_notices, checkout
from core.services.booking import add_booking, book, cancel, hold_slot
from core.services.booking_notices import Messenger, Notice
from core.services.payments import CardDetails, PaymentDeclined, TestModeGateway
from tests.conftest import NOW
from tests.web.helpers import count_queries

TUESDAY_10_AM_EST = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
WHAT = "Alex Rivera, Family Portrait Session, Tue Dec 1 10:00\u202fAM EST"  # Babel's space
DECLINED = CardDetails("4000 0000 0000 9995", 12, 2030, "123")  # insufficient funds


@pytest.fixture
def offer(make: Any) -> Any:
    """Alex Rivera and an open Family Portrait Session on Tue Dec 1, 10:00 AM in New York."""
    make.studio()
    service_type = make.service_type(online_name="Family Portrait Session")
    slot = make.slot(TUESDAY_10_AM_EST, service_types=[service_type])
    client = make.client(name="Alex Rivera")
    return slot, service_type, client


def book_online(session: Session, offer: Any, via: BookedVia = BookedVia.WIDGET) -> Any:
    slot, service_type, client = offer
    return book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=client.id,
        now=NOW,
        via=via,
    )


def notices_of(session: Session, staff: Any) -> list[StaffNotice]:
    return list(session.scalars(select(StaffNotice).where(StaffNotice.staff_id == staff.id)))


def setting(make: Any, staff: Any, kind: NoticeKind, *, on_screen: bool, by_email: bool) -> None:
    make._save(NoticeSetting(staff_id=staff.id, kind=kind, on_screen=on_screen, by_email=by_email))


def outbox(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.to_address)))


def test_an_online_booking_tells_every_active_staff_member_who_has_the_kind_on(
    session: Session, make: Any, offer: Any
) -> None:
    default, wants, muted = make.staff(), make.staff(), make.staff()
    gone = make.staff(active=False)
    setting(make, wants, NoticeKind.NEW_BOOKING, on_screen=True, by_email=False)
    setting(make, muted, NoticeKind.NEW_BOOKING, on_screen=False, by_email=False)

    book_online(session, offer)

    for member in (default, wants):
        [notice] = notices_of(session, member)
        assert notice.kind is NoticeKind.NEW_BOOKING
        assert notice.title == f"New online booking: {WHAT}"
        assert notice.read_at is None and not notice.failed
    assert notices_of(session, muted) == [] and notices_of(session, gone) == []
    assert outbox(session) == []


def test_an_email_copy_goes_to_who_asked_for_one_even_with_the_screen_off(
    session: Session, make: Any, offer: Any
) -> None:
    both, mail_only = make.staff(email="both@studio.test"), make.staff(email="mail@studio.test")
    setting(make, both, NoticeKind.NEW_BOOKING, on_screen=True, by_email=True)
    setting(make, mail_only, NoticeKind.NEW_BOOKING, on_screen=False, by_email=True)
    setting(make, make.staff(), NoticeKind.CANCELLATION, on_screen=True, by_email=True)

    book_online(session, offer)

    mails = outbox(session)
    assert [m.to_address for m in mails] == ["both@studio.test", "mail@studio.test"]
    assert mails[0].subject.startswith("New online booking: Alex Rivera")
    assert mails[0].kind == "staff_notice"
    assert len(notices_of(session, both)) == 1 and notices_of(session, mail_only) == []


def test_a_booking_made_by_staff_is_no_new_online_booking(
    session: Session, make: Any, offer: Any
) -> None:
    member = make.staff()

    book_online(session, offer, via=BookedVia.STAFF)

    assert notices_of(session, member) == []


@pytest.mark.parametrize(("by_client", "who"), [(True, "the client"), (False, "staff")])
def test_a_cancellation_tells_staff_who_cancelled(
    session: Session, make: Any, offer: Any, by_client: bool, who: str
) -> None:
    member = make.staff()
    setting(make, member, NoticeKind.NEW_BOOKING, on_screen=False, by_email=False)
    booking = book_online(session, offer)
    client_id = booking.client_id if by_client else None

    cancel(session, public_id=booking.public_id, now=NOW, client_id=client_id)

    [notice] = notices_of(session, member)
    assert notice.kind is NoticeKind.CANCELLATION
    assert notice.title == f"Booking cancelled: {WHAT}"
    assert f"Cancelled by {who}." in notice.body


def test_a_declined_online_payment_tells_staff_with_the_reason(
    session: Session, make: Any, offer: Any, engine: Any
) -> None:
    member = make.staff()
    slot, service_type, client = offer
    fee = make._save(
        PriceListItem(
            code="SF", name="Session fee", category=PriceCategory.SESSION_FEE, price=15000
        )
    )
    service_type.items = [ServiceTypeItem(item=fee, quantity=1, position=0)]
    service_type.auto_create_invoice = True
    service_type.online_payment_required = True
    service_type.payment_option = PaymentOption.FULL_AMOUNT
    session.commit()
    hold = hold_slot(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        now=NOW,
        hold_for=timedelta(minutes=10),
    )

    with pytest.raises(PaymentDeclined):
        checkout.pay_and_book(
            session,
            TestModeGateway(engine, clock=lambda: NOW),
            hold=hold,
            client_id=client.id,
            idempotency_key="attempt-declined-0123456789",
            expected_amount=15000,
            source=checkout.PaymentSource(card=DECLINED),
            method="Credit card",
            now=NOW,
        )

    session.rollback()
    [notice] = notices_of(session, member)
    assert notice.kind is NoticeKind.FAILED_PAYMENT and notice.failed
    assert notice.title == f"Online payment failed: {WHAT}"
    assert notice.body.startswith("$150.00 was not charged, so the time is not booked.")
    assert "insufficient funds" in notice.body


def test_nothing_is_written_when_the_booking_transaction_rolls_back(
    session: Session, make: Any, offer: Any
) -> None:
    member = make.staff()
    setting(make, member, NoticeKind.NEW_BOOKING, on_screen=True, by_email=True)
    slot, service_type, client = offer

    add_booking(
        session, slot_id=slot.id, service_type_id=service_type.id, client_id=client.id, now=NOW
    )
    session.rollback()  # what pay_and_book does when the booking cannot be completed

    assert notices_of(session, member) == [] and outbox(session) == []


def test_notices_link_where_the_web_layer_says(session: Session, make: Any, offer: Any) -> None:
    member = make.staff()
    booking_notices.use(
        session,
        Messenger(
            bookings_link=lambda: "/admin/bookings",
            client_link=lambda client_id: f"/admin/clients/{client_id}",
        ),
    )
    booking = book_online(session, offer)  # no invoice: the bookings list
    cancel(session, public_id=booking.public_id, now=NOW)

    links = {n.kind: n.link for n in notices_of(session, member)}
    assert links == {
        NoticeKind.NEW_BOOKING: "/admin/bookings",
        NoticeKind.CANCELLATION: f"/admin/clients/{booking.client_id}",
    }


def test_telling_many_staff_on_screen_takes_as_many_queries_as_telling_a_few(
    session: Session, make: Any, engine: Any
) -> None:
    notice = Notice(NoticeKind.NEW_BOOKING, "New online booking: test")

    def queries_for(staff_count: int) -> int:
        for _ in range(staff_count):
            make.staff()  # the kind on by default; email copies are one insert each
        with count_queries(engine) as statements:
            booking_notices.notify(session, notice, now=NOW)
            session.flush()
        session.rollback()
        return len(statements)

    assert queries_for(2) == queries_for(20)
    assert session.scalar(select(func.count(StaffNotice.id))) == 0


def test_the_weekly_jobs_notice_goes_only_to_its_staff_member_as_their_settings_say(
    session: Session, make: Any
) -> None:
    chosen = make.staff(email="chosen@studio.test")
    other = make.staff()
    setting(make, chosen, NoticeKind.SLOT_JOB, on_screen=False, by_email=True)
    notice = Notice(NoticeKind.SLOT_JOB, "Weekly time slots: 12 created")

    booking_notices.notify(session, notice, now=NOW, only=(chosen.id,), mailed_already=())
    booking_notices.notify(
        session, notice, now=NOW, only=(chosen.id,), mailed_already=("Chosen@studio.test",)
    )

    assert notices_of(session, chosen) == [] and notices_of(session, other) == []
    assert [m.to_address for m in outbox(session)] == ["chosen@studio.test"]  # not twice
