"""The waiting list: joining a booked-out day, leaving it, the mail when a time opens (in the
order clients joined), the link that holds the time for its client, and BOOKED on booking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import (
    Booking,
    BookingStatus,
    OutboxMessage,
    SlotState,
    TimeSlot,
    WaitlistEntry,
    WaitlistStatus,
)
from core.services import read_cache, waitlist, waitlist_links
from core.services.booking import Hold, book, cancel
from core.services.errors import NotFound, SlotTaken
from core.services.mail import MailContent
from core.services.rescheduling import reschedule
from core.services.slot_copy import create_planned, plan_copy
from core.services.slots import close_slot, create_slot, reopen_slot
from tests import factories
from tests.concurrency import race, racing_engine_for
from tests.conftest import NOW
from tests.web.helpers import count_queries

SECRET = "test-secret"
START = NOW + timedelta(days=2)  # Wednesday 2026-11-25, 10:00 in New York
DAY = date(2026, 11, 25)
HOLD_FOR = timedelta(minutes=10)
LINK_AGE = timedelta(hours=24)


def _compose(entry: WaitlistEntry, slot: TimeSlot) -> MailContent:
    token = waitlist_links.make_token(entry, slot.id, secret_key=SECRET, now=NOW)
    return MailContent(subject=f"A time opened for {entry.client.name}", text=f"/hold/{token}")


MAIL = waitlist.WaitlistMail(compose=_compose)


@pytest.fixture
def full_day(make: Any) -> Any:
    """A type whose only slot on DAY is booked; `booking`, `slot`, `type`, `location`."""
    service_type = make.service_type()
    resource = make.resource()
    slot = make.slot(START, service_types=[service_type], resource=resource)
    booking = book(
        make.session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=make.client().id,
        now=NOW,
    )
    return SimpleNamespace(
        booking=booking,
        slot=slot,
        type=service_type,
        resource=resource,
        location=resource.location,
    )


def _join(session: Session, full_day: Any, client: Any, now: datetime = NOW) -> WaitlistEntry:
    return waitlist.join(
        session,
        client_id=client.id,
        service_type_id=full_day.type.id,
        location_id=full_day.location.id,
        day=DAY,
        now=now,
    )


def _mails(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == waitlist.KIND)
            .order_by(OutboxMessage.id)
        )
    )


def _token(mail: OutboxMessage) -> str:
    return mail.text_body.rsplit("/", 1)[1]


def _open_link(session: Session, token: str, client: Any, now: datetime = NOW) -> Hold:
    link = waitlist_links.read_token(session, token, secret_key=SECRET, max_age=LINK_AGE, now=now)
    return waitlist_links.hold_for_client(
        session, link, client_id=client.id, now=now, hold_for=HOLD_FOR
    )


def test_a_client_joins_a_booked_out_day_once(session: Session, make: Any, full_day: Any) -> None:
    client = make.client()

    entry = _join(session, full_day, client)

    assert (entry.status, entry.day, entry.notified_at) == (WaitlistStatus.WAITING, DAY, None)
    with pytest.raises(waitlist.AlreadyWaiting):
        _join(session, full_day, client, NOW + timedelta(minutes=1))
    assert session.scalar(select(func.count(WaitlistEntry.id))) == 1


def test_a_day_with_a_time_left_has_no_waiting_list(
    session: Session, make: Any, full_day: Any
) -> None:
    make.slot(START + timedelta(hours=2), service_types=[full_day.type], resource=full_day.resource)

    with pytest.raises(waitlist.TimesAvailable, match="times available"):
        _join(session, full_day, make.client())


@pytest.mark.parametrize(
    "day", [date(2026, 11, 22), date(2026, 11, 23) + timedelta(days=waitlist.MAX_DAYS_AHEAD + 1)]
)
def test_a_past_or_far_day_cannot_be_waited_for(
    session: Session, make: Any, full_day: Any, day: date
) -> None:
    with pytest.raises(waitlist.NotWaitable):
        waitlist.join(
            session,
            client_id=make.client().id,
            service_type_id=full_day.type.id,
            location_id=full_day.location.id,
            day=day,
            now=NOW,
        )


def test_a_client_leaves_and_may_join_again(session: Session, make: Any, full_day: Any) -> None:
    client = make.client()
    _join(session, full_day, client)
    key = {"service_type_id": full_day.type.id, "location_id": full_day.location.id, "day": DAY}

    waitlist.leave(session, client_id=client.id, now=NOW, **key)

    assert waitlist.entries_for_client(session, client_id=client.id, now=NOW) == []
    with pytest.raises(NotFound):
        waitlist.leave(session, client_id=client.id, now=NOW, **key)
    _join(session, full_day, client)  # the unique index covers only live entries
    assert len(waitlist.entries_for_client(session, client_id=client.id, now=NOW)) == 1


def test_a_cancellation_mails_waiting_clients_in_the_order_they_joined(
    session: Session, make: Any, full_day: Any
) -> None:
    second, first, gone = make.client(name="Bo"), make.client(name="Al"), make.client(name="Cy")
    _join(session, full_day, first, NOW)
    _join(session, full_day, second, NOW + timedelta(minutes=5))
    _join(session, full_day, gone, NOW + timedelta(minutes=6))
    waitlist.leave(
        session,
        client_id=gone.id,
        service_type_id=full_day.type.id,
        location_id=full_day.location.id,
        day=DAY,
        now=NOW,
    )

    cancel(
        session, public_id=full_day.booking.public_id, now=NOW + timedelta(hours=1), waitlist=MAIL
    )

    mails = _mails(session)
    assert [m.to_address for m in mails] == [first.email, second.email]
    assert [m.subject for m in mails] == ["A time opened for Al", "A time opened for Bo"]
    notified = session.scalars(
        select(WaitlistEntry.notified_at).where(WaitlistEntry.status == WaitlistStatus.WAITING)
    ).all()
    assert notified == [NOW + timedelta(hours=1)] * 2


def test_a_cancellation_without_the_waitlist_mail_queues_nothing(
    session: Session, make: Any, full_day: Any
) -> None:
    _join(session, full_day, make.client())

    cancel(session, public_id=full_day.booking.public_id, now=NOW)

    assert _mails(session) == []


def test_waiting_for_another_day_or_type_gets_no_mail(
    session: Session, make: Any, full_day: Any
) -> None:
    other_type = make.service_type()
    make.slot(START + timedelta(days=1), service_types=[full_day.type], state=SlotState.BOOKED)
    waitlist.join(
        session,
        client_id=make.client().id,
        service_type_id=other_type.id,
        location_id=full_day.location.id,
        day=DAY,
        now=NOW,
    )

    cancel(session, public_id=full_day.booking.public_id, now=NOW, waitlist=MAIL)

    assert _mails(session) == []


def test_a_new_slot_on_the_day_mails_the_waiting_client(
    session: Session, make: Any, full_day: Any
) -> None:
    client = make.client()
    _join(session, full_day, client)

    create_slot(
        session,
        resource_id=full_day.resource.id,
        day=DAY,
        start=time(14, 0),
        duration_minutes=60,
        service_type_ids=[full_day.type.id],
        waitlist=MAIL,
        now=NOW,
    )

    [mail] = _mails(session)
    assert mail.to_address == client.email


def test_a_reopened_slot_mails_the_waiting_client(
    session: Session, make: Any, full_day: Any
) -> None:
    closed = make.slot(
        START + timedelta(hours=3), service_types=[full_day.type], resource=full_day.resource
    )
    close_slot(session, closed.id, now=NOW)
    _join(session, full_day, make.client())

    reopen_slot(session, closed.id, waitlist=MAIL, now=NOW)

    assert len(_mails(session)) == 1


def test_a_reschedule_off_the_day_mails_about_the_time_it_freed(
    session: Session, make: Any, full_day: Any
) -> None:
    client = make.client()
    _join(session, full_day, client)
    later = make.slot(
        START + timedelta(days=3), service_types=[full_day.type], resource=full_day.resource
    )

    reschedule(
        session, public_id=full_day.booking.public_id, new_slot_id=later.id, now=NOW, waitlist=MAIL
    )

    [mail] = _mails(session)
    link = waitlist_links.read_token(
        session, _token(mail), secret_key=SECRET, max_age=LINK_AGE, now=NOW
    )
    assert (link.entry.client_id, link.slot_id) == (client.id, full_day.slot.id)


def test_copied_slots_mail_once_per_day_and_type_about_the_first_time(
    session: Session, make: Any, full_day: Any
) -> None:
    source = date(2026, 11, 18)  # the Wednesday before, with two slots to copy
    for hour in (15, 17):
        make.slot(
            datetime(2026, 11, 18, hour, tzinfo=START.tzinfo),
            service_types=[full_day.type],
            resource=make.resource(full_day.location),
        )
    client = make.client()
    _join(session, full_day, client)
    plan = plan_copy(
        session,
        source_first_day=source,
        source_days=1,
        target_first_days=[DAY],
        skip_booked=False,
        skip_closed=False,
        now=NOW,
    )

    created = create_planned(session, plan, waitlist=MAIL, now=NOW)
    session.commit()

    assert created.created == 2
    [mail] = _mails(session)
    link = waitlist_links.read_token(
        session, _token(mail), secret_key=SECRET, max_age=LINK_AGE, now=NOW
    )
    slot = session.get_one(TimeSlot, link.slot_id)
    assert slot.start_at == datetime(2026, 11, 25, 15, tzinfo=START.tzinfo)


def test_the_link_holds_the_time_for_its_client_and_then_says_taken_to_the_next(
    session: Session, make: Any, full_day: Any
) -> None:
    first, second = make.client(), make.client()
    _join(session, full_day, first)
    _join(session, full_day, second, NOW + timedelta(minutes=1))
    cancel(session, public_id=full_day.booking.public_id, now=NOW, waitlist=MAIL)
    first_mail, second_mail = _mails(session)

    hold = _open_link(session, _token(first_mail), first)

    session.expire_all()
    slot = session.get_one(TimeSlot, full_day.slot.id)
    assert (slot.state, slot.hold_token, hold.service_type_id) == (
        SlotState.HELD,
        hold.token,
        full_day.type.id,
    )
    with pytest.raises(SlotTaken):
        _open_link(session, _token(second_mail), second)
    second_entry = waitlist.waiting_entry(
        session,
        client_id=second.id,
        service_type_id=full_day.type.id,
        location_id=full_day.location.id,
        day=DAY,
    )
    assert second_entry is not None  # still waiting for the next time


def test_a_link_opened_by_another_client_is_refused(
    session: Session, make: Any, full_day: Any
) -> None:
    _join(session, full_day, make.client())
    cancel(session, public_id=full_day.booking.public_id, now=NOW, waitlist=MAIL)
    [mail] = _mails(session)

    with pytest.raises(waitlist_links.HoldLinkNotYours):
        _open_link(session, _token(mail), make.client())


def test_an_expired_or_tampered_link_is_refused(session: Session, make: Any, full_day: Any) -> None:
    _join(session, full_day, make.client())
    cancel(session, public_id=full_day.booking.public_id, now=NOW, waitlist=MAIL)
    token = _token(_mails(session)[0])

    with pytest.raises(waitlist_links.HoldLinkExpired):
        waitlist_links.read_token(
            session, token, secret_key=SECRET, max_age=LINK_AGE, now=NOW + timedelta(hours=25)
        )
    with pytest.raises(waitlist_links.HoldLinkInvalid):
        waitlist_links.read_token(
            session, token[:-2] + "xx", secret_key=SECRET, max_age=LINK_AGE, now=NOW
        )


def test_booking_the_day_marks_the_entry_booked_and_ends_the_mail(
    session: Session, make: Any, full_day: Any
) -> None:
    client, other = make.client(), make.client()
    _join(session, full_day, client)
    _join(session, full_day, other, NOW + timedelta(minutes=1))
    cancel(session, public_id=full_day.booking.public_id, now=NOW, waitlist=MAIL)
    hold = _open_link(session, _token(_mails(session)[0]), client)

    book(
        session,
        slot_id=full_day.slot.id,
        service_type_id=full_day.type.id,
        client_id=client.id,
        now=NOW + timedelta(minutes=2),
        hold=hold,
    )

    session.expire_all()
    statuses = session.execute(
        select(WaitlistEntry.client_id, WaitlistEntry.status).order_by(WaitlistEntry.id)
    ).all()
    assert statuses == [(client.id, WaitlistStatus.BOOKED), (other.id, WaitlistStatus.WAITING)]
    with pytest.raises(waitlist_links.NoLongerWaiting, match="booked this day already"):
        _open_link(session, _token(_mails(session)[0]), client)


def test_staff_see_a_days_entries_by_type_in_join_order(
    session: Session, make: Any, full_day: Any
) -> None:
    first, second = make.client(), make.client()
    _join(session, full_day, second, NOW + timedelta(minutes=3))
    _join(session, full_day, first, NOW)

    entries = waitlist.entries_for_day(session, day=DAY, service_type_id=full_day.type.id)
    days = waitlist.waiting_days(session, from_day=DAY)

    assert [e.client_id for e in entries] == [first.id, second.id]
    assert [(d.day, d.service_type.id, d.waiting) for d in days] == [(DAY, full_day.type.id, 2)]


@pytest.mark.postgres
def test_two_waiting_clients_confirming_at_once_make_exactly_one_booking(
    database_url: str, session: Session, make: Any, full_day: Any
) -> None:
    clients = [make.client(), make.client()]
    for n, client in enumerate(clients):
        _join(session, full_day, client, NOW + timedelta(minutes=n))
    cancel(session, public_id=full_day.booking.public_id, now=NOW, waitlist=MAIL)
    tokens = [_token(mail) for mail in _mails(session)]
    engine: Engine = racing_engine_for(database_url, 2)

    def open_and_book(race_session: Session, n: int) -> None:
        hold = _open_link(race_session, tokens[n], clients[n])
        book(
            race_session,
            slot_id=hold.slot_id,
            service_type_id=hold.service_type_id,
            client_id=clients[n].id,
            now=NOW,
            hold=hold,
        )

    try:
        outcomes = race(engine, open_and_book, threads=2)
    finally:
        engine.dispose()

    assert outcomes == {"won": 1, "SlotTaken": 1}
    live = session.scalar(
        select(func.count(Booking.id)).where(
            Booking.slot_id == full_day.slot.id, Booking.status == BookingStatus.BOOKED
        )
    )
    assert live == 1


@pytest.fixture
def kept(session: Session) -> Iterator[list[str]]:
    """The session's engine served by the read cache (PostgreSQL), and the SQL it runs."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    read_cache.serve(engine)
    assert read_cache.keeps(engine, wait=10)
    with count_queries(engine) as seen:
        yield seen
    read_cache.stop(engine)


def _book_free_time(session: Session, full_day: Any, client: Any, hours: int) -> None:
    slot = factories.Factory(session).slot(
        START + timedelta(hours=hours), service_types=[full_day.type], resource=full_day.resource
    )
    book(session, slot_id=slot.id, service_type_id=full_day.type.id, client_id=client.id, now=NOW)


@pytest.mark.postgres
def test_a_client_waiting_for_nothing_books_without_touching_the_waiting_list(
    session: Session, make: Any, full_day: Any, kept: list[str]
) -> None:
    client = make.client()
    _book_free_time(session, full_day, client, 2)  # who waits is read once, then kept
    kept.clear()
    _book_free_time(session, full_day, client, 4)
    assert kept and not [sql for sql in kept if "waitlist_entry" in sql]


@pytest.mark.postgres
def test_with_who_waits_kept_a_client_who_joined_since_still_has_the_entry_marked_booked(
    session: Session, make: Any, full_day: Any, kept: list[str]
) -> None:
    client = make.client()
    _book_free_time(session, full_day, make.client(), 2)  # kept: nobody waits
    _join(session, full_day, client)  # a change to the waiting list: what was kept is gone
    cancel(session, public_id=full_day.booking.public_id, now=NOW)
    book(
        session,
        slot_id=full_day.slot.id,
        service_type_id=full_day.type.id,
        client_id=client.id,
        now=NOW,
    )
    session.expire_all()
    assert session.scalars(select(WaitlistEntry.status)).all() == [WaitlistStatus.BOOKED]
