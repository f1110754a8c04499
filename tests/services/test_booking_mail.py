"""The client's booking mails: each change queues exactly one mail, in its own transaction, in
the studio's wording, with times in the location's timezone and the zone named."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from core.models import Booking, OnlinePreferences, PaymentOption
from core.services import checkout
from core.services.booking import book, cancel
from core.services.booking_mail import send_reminders
from core.services.checkout import PaymentSource
from core.services.errors import SlotTaken
from core.services.mail import templates
from core.services.payments import CardDetails, TestModeGateway
from core.services.preferences import with_defaults
from core.services.rescheduling import reschedule
from tests.booking_mail import (
    MAILER,
    MY_BOOKINGS,
    START,
    book_at,
    outbox,
    parse_calendar,
    studio_setup,
)
from tests.concurrency import race, racing_engine_for
from tests.conftest import NOW
from tests.services.test_checkout import held, priced_type

VISA = CardDetails("4242 4242 4242 4242", 12, 2030, "123")


@pytest.fixture
def setup(make: Any) -> Any:
    return studio_setup(make)


def test_booking_queues_one_confirmation_with_the_calendar_invitation(
    session: Session, make: Any, setup: Any
) -> None:
    booking = book_at(session, make, *setup)

    [mail] = outbox(session)
    assert (mail.kind, mail.to_address, mail.booking_id) == (
        "booking_confirmation",
        "ada@example.com",
        booking.id,
    )
    assert mail.subject == (
        "Your Family Portrait Session on Wednesday, November 25, 2026 is booked"
    )
    assert "Wednesday, November 25, 2026 at 10:00\u202fAM EST (60 minutes)" in mail.text_body
    assert "Light & Co Downtown\n12 Harbor St, Springfield" in mail.text_body
    assert MY_BOOKINGS in mail.text_body
    assert mail.html_body.startswith("<h1>Your Family Portrait Session")  # the mailer's look
    assert (mail.attachment_name, mail.attachment_type) == (
        "booking.ics",
        "text/calendar; method=REQUEST",
    )
    assert mail.attachment is not None
    _, vevent = parse_calendar(mail.attachment)
    assert str(vevent["UID"]) == booking.calendar_uid


@pytest.mark.parametrize(
    ("timezone", "when"),
    [
        ("America/New_York", "10:00\u202fAM EST"),
        ("America/Los_Angeles", "7:00\u202fAM PST"),
        ("Europe/Berlin", "4:00\u202fPM Central European Standard Time"),
        ("Australia/Sydney", "2:00\u202fAM Australian Eastern Daylight Time"),
    ],
)
def test_times_in_mail_are_the_locations_with_the_zone_named(
    session: Session, make: Any, timezone: str, when: str
) -> None:
    book_at(session, make, *studio_setup(make, timezone=timezone))

    [mail] = outbox(session)
    assert f" at {when} (60 minutes)" in mail.text_body


def test_a_failing_commit_queues_no_mail(session: Session, make: Any, setup: Any) -> None:
    def power_cut(_: Session) -> None:
        raise RuntimeError("the database went away")

    event.listen(session, "before_commit", power_cut)
    with pytest.raises(RuntimeError):
        book_at(session, make, *setup)
    event.remove(session, "before_commit", power_cut)
    session.rollback()

    assert outbox(session) == []
    assert session.scalar(select(func.count(Booking.id))) == 0


def test_a_refused_booking_queues_no_mail(session: Session, make: Any, setup: Any) -> None:
    _, service_type, _ = setup
    booking = book_at(session, make, *setup)
    with pytest.raises(SlotTaken):
        book(
            session,
            slot_id=booking.slot_id,
            service_type_id=service_type.id,
            client_id=make.client().id,
            now=NOW,
            mailer=MAILER,
        )

    assert [m.kind for m in outbox(session)] == ["booking_confirmation"]


def test_without_a_mailer_no_client_mail_is_queued(session: Session, make: Any, setup: Any) -> None:
    room, service_type, client = setup
    slot = make.slot(START, service_types=[service_type], resource=room)
    book(session, slot_id=slot.id, service_type_id=service_type.id, client_id=client.id, now=NOW)

    assert outbox(session) == []


def test_rescheduling_queues_one_moved_mail_naming_old_and_new_times(
    session: Session, make: Any, setup: Any
) -> None:
    room, service_type, _ = setup
    booking = book_at(session, make, *setup)
    later = make.slot(
        START + timedelta(days=1, hours=3), service_types=[service_type], resource=room
    )

    moved = reschedule(
        session, public_id=booking.public_id, new_slot_id=later.id, now=NOW, mailer=MAILER
    )

    [mail] = outbox(session, "booking_rescheduled")
    assert mail.booking_id == moved.id
    assert mail.subject == "Your Family Portrait Session is now on Thursday, November 26, 2026"
    assert (
        "from Wednesday, November 25, 2026 at 10:00\u202fAM EST to:\n\n"
        "Thursday, November 26, 2026 at 1:00\u202fPM EST (60 minutes)"
    ) in mail.text_body
    assert mail.attachment_type == "text/calendar; method=REQUEST"
    assert len(outbox(session)) == 2  # the confirmation and this


@pytest.mark.parametrize("by_client", [True, False])
def test_cancelling_queues_one_cancellation(
    session: Session, make: Any, setup: Any, by_client: bool
) -> None:
    booking = book_at(session, make, *setup)
    client_id = booking.client_id if by_client else None

    cancel(session, public_id=booking.public_id, now=NOW, client_id=client_id, mailer=MAILER)

    [mail] = outbox(session, "booking_cancelled")
    assert (
        mail.subject == "Your Family Portrait Session on Wednesday, November 25, 2026 is cancelled"
    )
    assert "on Wednesday, November 25, 2026 at 10:00\u202fAM EST is cancelled" in mail.text_body
    assert mail.attachment_type == "text/calendar; method=CANCEL"
    assert len(outbox(session)) == 2


def test_the_studios_own_wording_is_used(session: Session, make: Any, setup: Any) -> None:
    templates.save(
        session,
        "booking_confirmation",
        subject="See you {{ date }}!",
        body="Hi {{ client_name }}, {{ time }} in {{ timezone }}. Ref {{ reference }}",
        staff_id=None,
        now=NOW,
    )
    booking = book_at(session, make, *setup)

    [mail] = outbox(session)
    assert mail.subject == "See you Wednesday, November 25, 2026!"
    assert mail.text_body == (
        f"Hi Ada Lovelace, 10:00\u202fAM EST in Eastern Time (New York). Ref {booking.public_id}\n"
    )


# --- the payment receipt -----------------------------------------------------------------------


def _pay(session: Session, make: Any, option: PaymentOption, amount: int | None) -> Any:
    _, _, client = studio_setup(make)
    service_type = priced_type(make, option, amount)
    hold = held(session, make, service_type)
    due = checkout.quote(session, service_type).due.amount
    gateway = TestModeGateway(session.get_bind(), clock=lambda: NOW)  # type: ignore[arg-type]
    return checkout.pay_and_book(
        session,
        gateway,
        hold=hold,
        client_id=client.id,
        idempotency_key=secrets.token_urlsafe(16),
        expected_amount=due,
        source=PaymentSource(card=VISA),
        method="Credit card",
        now=NOW,
        mailer=MAILER,
    )


@pytest.mark.parametrize(
    ("option", "amount", "paid", "for_what", "left"),
    [
        (PaymentOption.FULL_AMOUNT, None, "$190.00", "INV-", "$0.00"),
        (PaymentOption.LISTED_AMOUNT, 5000, "$50.00", "INV-", "$140.00"),
        (PaymentOption.DEPOSIT, 7500, "$75.00", "your deposit", "settled at the studio"),
    ],
)
def test_paying_online_queues_the_confirmation_and_a_receipt_with_the_amounts(
    session: Session,
    make: Any,
    option: PaymentOption,
    amount: int | None,
    paid: str,
    for_what: str,
    left: str,
) -> None:
    booking = _pay(session, make, option, amount)

    assert Counter(m.kind for m in outbox(session)) == Counter(
        booking_confirmation=1, payment_receipt=1
    )
    [receipt] = outbox(session, "payment_receipt")
    assert receipt.booking_id == booking.id
    assert receipt.subject == f"Receipt: {paid} paid to Light & Co Studio"
    assert f"We received {paid} (Visa ending 4242) for {for_what}" in receipt.text_body
    assert f"Left to pay: {left}." in receipt.text_body
    assert receipt.attachment is None


# --- reminders ---------------------------------------------------------------------------------


def _booked_earlier(session: Session, make: Any, setup: Any, start: Any = START) -> Booking:
    """A booking made a week before: it is due a reminder inside the window."""
    booking = book_at(session, make, *setup, start=start)
    booking.created_at = NOW - timedelta(days=7)
    session.commit()
    return booking


def _set_reminder_hours(session: Session, hours: int | None) -> None:
    prefs = session.scalar(select(OnlinePreferences)) or with_defaults(OnlinePreferences)
    session.add(prefs)
    session.flush()  # first: an INSERT of None would take the column's default
    prefs.reminder_hours = hours
    session.commit()


def test_a_reminder_is_queued_once_however_often_the_job_runs(
    session: Session, make: Any, setup: Any
) -> None:
    booking = _booked_earlier(session, make, setup, start=NOW + timedelta(hours=20))
    _booked_earlier(session, make, setup, start=NOW + timedelta(hours=30))  # not yet

    assert send_reminders(session, now=NOW, mailer=MAILER) == 1
    assert send_reminders(session, now=NOW + timedelta(minutes=5), mailer=MAILER) == 0

    [mail] = outbox(session, "booking_reminder")
    assert mail.booking_id == booking.id
    assert mail.subject == (  # one line of plain spaces
        "Reminder: Family Portrait Session on Tuesday, November 24, 2026 at 6:00 AM EST"
    )
    assert session.get_one(Booking, booking.id).reminder_sent_at == NOW


def test_the_reminder_hours_decide_when_the_reminder_goes(
    session: Session, make: Any, setup: Any
) -> None:
    _set_reminder_hours(session, 48)
    _booked_earlier(session, make, setup, start=NOW + timedelta(hours=30))

    assert send_reminders(session, now=NOW, mailer=MAILER) == 1


def test_no_reminders_when_they_are_turned_off(session: Session, make: Any, setup: Any) -> None:
    _set_reminder_hours(session, None)
    _booked_earlier(session, make, setup, start=NOW + timedelta(hours=2))

    assert send_reminders(session, now=NOW, mailer=MAILER) == 0
    assert outbox(session, "booking_reminder") == []


def test_no_reminder_for_a_cancelled_booking(session: Session, make: Any, setup: Any) -> None:
    booking = _booked_earlier(session, make, setup, start=NOW + timedelta(hours=20))
    cancel(session, public_id=booking.public_id, now=NOW)

    assert send_reminders(session, now=NOW, mailer=MAILER) == 0


def test_no_reminder_for_a_booking_made_inside_the_window(
    session: Session, make: Any, setup: Any
) -> None:
    book_at(session, make, *setup, start=NOW + timedelta(hours=5))  # booked at NOW

    assert send_reminders(session, now=NOW + timedelta(hours=1), mailer=MAILER) == 0


def test_no_reminder_for_a_booking_that_has_started(
    session: Session, make: Any, setup: Any
) -> None:
    _booked_earlier(session, make, setup, start=NOW + timedelta(hours=1))

    assert send_reminders(session, now=NOW + timedelta(hours=1, minutes=1), mailer=MAILER) == 0


@pytest.mark.postgres
def test_reminder_runs_on_two_hosts_at_once_remind_once(
    session: Session, make: Any, setup: Any, database_url: str
) -> None:
    for hours in (3, 6, 9, 12):
        _booked_earlier(session, make, setup, start=NOW + timedelta(hours=hours))
    engine = racing_engine_for(database_url, 4)

    outcomes = race(engine, lambda s, n: send_reminders(s, now=NOW, mailer=MAILER), threads=4)
    engine.dispose()

    assert outcomes == Counter(won=4)
    reminders = outbox(session, "booking_reminder")
    assert sorted(m.booking_id for m in reminders) == sorted(  # type: ignore[type-var]
        b.id for b in session.scalars(select(Booking))
    )
