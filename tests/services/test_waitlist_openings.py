"""Times that open up on a waited-for day besides a new slot or a cancellation: staff moving or
editing a free slot onto it, a held time given back or left to run out, and an organization's
own slots for its members. Each opening is mailed once, to the clients waiting for that day,
type and location only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session

from core.models import Organization, OutboxMessage, SlotState, TimeSlot, WaitlistEntry
from core.services import waitlist, waitlist_links
from core.services.booking import Hold, book, cancel, hold_slot
from core.services.errors import SlotTaken
from core.services.mail import MailContent
from core.services.organizations import NotAMember
from core.services.slots import SlotDetails, close_slot, move_slot, update_slot
from core.services.waitlist_openings import HOLD_GRACE, reopen_expired_holds
from tests.concurrency import race, racing_engine_for
from tests.conftest import NOW

SECRET = "test-secret"
START = NOW + timedelta(days=2)  # Wednesday 2026-11-25, 10:00 in New York
DAY = date(2026, 11, 25)
HOLD_FOR = timedelta(minutes=10)
LINK_AGE = timedelta(hours=24)
RAN_OUT = NOW + HOLD_FOR + HOLD_GRACE + timedelta(seconds=1)  # a hold taken at NOW is over


def _compose(entry: WaitlistEntry, slot: TimeSlot) -> MailContent:
    token = waitlist_links.make_token(entry, slot.id, secret_key=SECRET, now=NOW)
    return MailContent(subject=f"A time opened for {entry.client.name}", text=f"/hold/{token}")


MAIL = waitlist.WaitlistMail(compose=_compose)


@pytest.fixture
def full_day(make: Any) -> Any:
    """A type whose only slot on DAY is booked; a free slot of the type two days later on the
    same resource (`later`) for staff to move or edit."""
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
    later = make.slot(START + timedelta(days=2), service_types=[service_type], resource=resource)
    return SimpleNamespace(
        booking=booking,
        slot=slot,
        later=later,
        type=service_type,
        resource=resource,
        location=resource.location,
    )


def _join(session: Session, full_day: Any, client: Any, *, day: date = DAY, **kw: Any) -> None:
    waitlist.join(
        session,
        client_id=client.id,
        service_type_id=kw.pop("service_type_id", full_day.type.id),
        location_id=kw.pop("location_id", full_day.location.id),
        day=day,
        now=kw.pop("now", NOW),
        **kw,
    )


def _mailed(session: Session) -> list[tuple[str, int]]:
    """(to, slot id) of every waitlist mail, in the order queued."""
    session.expire_all()
    mails = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == waitlist.KIND).order_by(OutboxMessage.id)
    )
    return [(m.to_address, _link(session, m).slot_id) for m in mails]


def _link(session: Session, mail: OutboxMessage) -> waitlist_links.HoldLink:
    token = mail.text_body.rsplit("/", 1)[1]
    return waitlist_links.read_token(session, token, secret_key=SECRET, max_age=LINK_AGE, now=NOW)


def _hold_by_link(session: Session, client: Any, slot_id: int, **kw: Any) -> Hold:
    mail = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == waitlist.KIND, OutboxMessage.to_address == client.email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert mail is not None
    link = _link(session, mail)
    assert link.slot_id == slot_id
    return waitlist_links.hold_for_client(
        session, link, client_id=client.id, now=kw.pop("now", NOW), hold_for=HOLD_FOR, **kw
    )


def _move_to_day(session: Session, slot: TimeSlot, hour: int = 14) -> TimeSlot:
    return move_slot(session, slot.id, day=DAY, start=time(hour, 0), now=NOW, waitlist=MAIL)


def _details(slot: TimeSlot, **changes: Any) -> SlotDetails:
    local = slot.start_at.astimezone(START.tzinfo)
    values: dict[str, Any] = {
        "resource_id": slot.resource_id,
        "day": local.date(),
        "start": local.time(),
        "duration_minutes": 60,
        "service_type_ids": [t.id for t in slot.service_types],
        "organization_id": slot.organization_id,
    }
    return SlotDetails(**{**values, **changes})


# Staff changes that put an open time on a waited-for day


def test_moving_an_open_slot_onto_the_waited_day_mails_the_waiting_client(
    session: Session, make: Any, full_day: Any
) -> None:
    client = make.client()
    _join(session, full_day, client)

    _move_to_day(session, full_day.later)

    assert _mailed(session) == [(client.email, full_day.later.id)]


def test_moving_it_again_within_the_day_mails_no_one_twice(
    session: Session, make: Any, full_day: Any
) -> None:
    _join(session, full_day, make.client())
    _move_to_day(session, full_day.later, 14)

    _move_to_day(session, full_day.later, 16)
    update_slot(session, full_day.later.id, _details(full_day.later), now=NOW, waitlist=MAIL)

    assert len(_mailed(session)) == 1


def test_a_moved_slot_mails_only_the_clients_waiting_for_its_day_type_and_location(
    session: Session, make: Any, full_day: Any
) -> None:
    wanted, other_type = make.client(), make.client()
    other_day, other_place = make.client(), make.client()
    _join(session, full_day, wanted)
    booked_out = make.service_type()
    make.slot(
        START + timedelta(hours=1),
        service_types=[booked_out],
        resource=full_day.resource,
        state=SlotState.BOOKED,
    )
    _join(session, full_day, other_type, service_type_id=booked_out.id)
    make.slot(
        START + timedelta(days=1),
        service_types=[full_day.type],
        resource=full_day.resource,
        state=SlotState.BOOKED,
    )
    _join(session, full_day, other_day, day=DAY + timedelta(days=1))
    elsewhere = make.resource()
    make.slot(START, service_types=[full_day.type], resource=elsewhere, state=SlotState.BOOKED)
    _join(session, full_day, other_place, location_id=elsewhere.location_id)

    _move_to_day(session, full_day.later)

    assert _mailed(session) == [(wanted.email, full_day.later.id)]


def test_moving_a_closed_slot_onto_the_day_mails_no_one(
    session: Session, make: Any, full_day: Any
) -> None:
    _join(session, full_day, make.client())
    close_slot(session, full_day.later.id, now=NOW)

    _move_to_day(session, full_day.later)

    assert _mailed(session) == []


@pytest.mark.parametrize("change", ["to_the_day", "public", "gains_the_type"])
def test_an_edit_that_offers_the_waited_type_on_the_day_mails_the_client(
    session: Session, make: Any, full_day: Any, change: str
) -> None:
    client = make.client()
    _join(session, full_day, client)
    other_type = make.service_type()
    lincoln = make._save(
        Organization(name="Lincoln", slug="lincoln", service_types=[full_day.type, other_type])
    )
    if change == "to_the_day":
        slot, details = full_day.later, _details(full_day.later, day=DAY)
    else:
        slot = make.slot(
            START + timedelta(hours=4),
            resource=full_day.resource,
            service_types=[full_day.type if change == "public" else other_type],
            organization_id=lincoln.id if change == "public" else None,
        )
        if change == "public":
            details = _details(slot, organization_id=None)
        else:
            details = _details(slot, service_type_ids=[other_type.id, full_day.type.id])

    update_slot(session, slot.id, details, now=NOW, waitlist=MAIL)

    assert _mailed(session) == [(client.email, slot.id)]


def test_editing_a_slot_of_the_day_without_the_waited_type_mails_no_one(
    session: Session, make: Any, full_day: Any
) -> None:
    _join(session, full_day, make.client())
    other_type = make.service_type()
    slot = make.slot(
        START + timedelta(hours=4), resource=full_day.resource, service_types=[other_type]
    )

    update_slot(session, slot.id, _details(slot, duration_minutes=90), now=NOW, waitlist=MAIL)

    assert _mailed(session) == []


# A held time given back or left to run out


@pytest.fixture
def held_by_first(session: Session, make: Any, full_day: Any) -> Any:
    """Two clients wait; a cancellation mails both; the first holds the time by their link and
    the second's link finds it taken."""
    first, second = make.client(name="Al"), make.client(name="Bo")
    _join(session, full_day, first)
    _join(session, full_day, second, now=NOW + timedelta(minutes=1))
    cancel(session, public_id=full_day.booking.public_id, now=NOW, waitlist=MAIL)
    hold = _hold_by_link(session, first, full_day.slot.id)
    with pytest.raises(SlotTaken):
        _hold_by_link(session, second, full_day.slot.id)
    return SimpleNamespace(first=first, second=second, hold=hold, mails=len(_mailed(session)))


def test_a_hold_that_runs_out_unused_opens_the_time_and_mails_those_waiting_again(
    session: Session, full_day: Any, held_by_first: Any
) -> None:
    reopened = reopen_expired_holds(session, now=RAN_OUT, mail=MAIL)

    again = _mailed(session)[held_by_first.mails :]
    assert (reopened.slots, reopened.mails) == (1, 2)
    assert again == [
        (held_by_first.first.email, full_day.slot.id),
        (held_by_first.second.email, full_day.slot.id),
    ]
    assert session.get_one(TimeSlot, full_day.slot.id).state is SlotState.OPEN
    hold = _hold_by_link(session, held_by_first.second, full_day.slot.id, now=RAN_OUT)
    assert hold.slot_id == full_day.slot.id  # the second client's new link takes it now


def test_a_second_run_mails_nothing_again(
    session: Session, full_day: Any, held_by_first: Any
) -> None:
    reopen_expired_holds(session, now=RAN_OUT, mail=MAIL)

    again = reopen_expired_holds(session, now=RAN_OUT + timedelta(minutes=5), mail=MAIL)

    assert (again.slots, again.mails) == (0, 0)
    assert len(_mailed(session)) == held_by_first.mails + 2


@pytest.mark.parametrize(
    "when", [NOW + HOLD_FOR - timedelta(seconds=1), NOW + HOLD_FOR + timedelta(seconds=30)]
)
def test_a_running_hold_or_one_just_over_is_left_to_its_client(
    session: Session, full_day: Any, held_by_first: Any, when: datetime
) -> None:
    reopened = reopen_expired_holds(session, now=when, mail=MAIL)

    assert reopened.slots == 0
    session.expire_all()
    assert session.get_one(TimeSlot, full_day.slot.id).hold_token == held_by_first.hold.token


def test_a_client_confirming_before_it_runs_out_books_and_the_sweep_mails_no_one(
    session: Session, full_day: Any, held_by_first: Any
) -> None:
    book(
        session,
        slot_id=full_day.slot.id,
        service_type_id=full_day.type.id,
        client_id=held_by_first.first.id,
        now=NOW + timedelta(minutes=5),
        hold=held_by_first.hold,
    )

    assert reopen_expired_holds(session, now=RAN_OUT, mail=MAIL).slots == 0
    assert len(_mailed(session)) == held_by_first.mails


def _first_chooses_the_later_time(session: Session, full_day: Any, held_by_first: Any) -> None:
    """The first client, holding the day's time, holds the later one instead: theirs is given
    back, and the clients waiting for it hear of it."""
    hold_slot(
        session,
        slot_id=full_day.later.id,
        service_type_id=full_day.type.id,
        now=NOW + timedelta(minutes=2),
        hold_for=HOLD_FOR,
        release=held_by_first.hold,
        waitlist=MAIL,
        client_id=held_by_first.first.id,
    )


def test_a_client_giving_the_held_time_back_mails_the_others_but_not_them(
    session: Session, make: Any, full_day: Any, held_by_first: Any
) -> None:
    _first_chooses_the_later_time(session, full_day, held_by_first)

    again = _mailed(session)[held_by_first.mails :]
    assert again == [(held_by_first.second.email, full_day.slot.id)]
    assert reopen_expired_holds(session, now=RAN_OUT, mail=MAIL).mails == 0  # not twice


@pytest.mark.postgres
def test_a_hold_that_mails_waiting_clients_waits_for_the_disk_and_a_plain_hold_does_not(
    session: Session, full_day: Any, held_by_first: Any, request: pytest.FixtureRequest
) -> None:
    """A hold alone commits asynchronously (a crash would merely leave the time open); one that
    also queued mail to the clients waiting for the time it gave back is kept as surely as any
    mail."""
    seen: list[str] = []
    engine = session.get_bind()

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    request.addfinalizer(lambda: event.remove(engine, "before_cursor_execute", record))
    relaxed = "SET LOCAL synchronous_commit TO OFF"
    _first_chooses_the_later_time(session, full_day, held_by_first)
    assert len(_mailed(session)) > held_by_first.mails and relaxed not in seen
    seen.clear()
    hold_slot(
        session,
        slot_id=full_day.slot.id,
        service_type_id=full_day.type.id,
        now=NOW + timedelta(minutes=3),
        hold_for=HOLD_FOR,
        client_id=held_by_first.second.id,
    )
    assert seen.count(relaxed) == 1
    with Session(engine) as other:  # committed: everyone sees the hold at once
        assert other.get(TimeSlot, full_day.slot.id).state is SlotState.HELD  # type: ignore[union-attr]
    assert session.execute(text("SHOW synchronous_commit")).scalar() == "on"  # that hold's only


# An organization's slots, for its members


@pytest.fixture
def school(session: Session, make: Any, full_day: Any) -> Any:
    """Lincoln offers the type; its own slot on DAY is booked too. A member and a client of the
    public widget wait for DAY (the member through Lincoln's link)."""
    lincoln = make._save(
        Organization(name="Lincoln", slug="lincoln", service_types=[full_day.type])
    )
    member = make.client(name="Mia Member", organization_id=lincoln.id)
    public = make.client(name="Pat Public")
    org_slot = make.slot(
        START + timedelta(hours=2),
        service_types=[full_day.type],
        resource=full_day.resource,
        organization_id=lincoln.id,
    )
    org_booking = book(
        session,
        slot_id=org_slot.id,
        service_type_id=full_day.type.id,
        client_id=make.client(organization_id=lincoln.id).id,
        now=NOW,
    )
    _join(session, full_day, public)
    _join(session, full_day, member, organization=lincoln)
    return SimpleNamespace(
        lincoln=lincoln, member=member, public=public, slot=org_slot, booking=org_booking
    )


def test_an_organizations_opening_mails_its_waiting_members_only(
    session: Session, full_day: Any, school: Any
) -> None:
    cancel(session, public_id=school.booking.public_id, now=NOW, waitlist=MAIL)

    assert _mailed(session) == [(school.member.email, school.slot.id)]
    hold = _hold_by_link(session, school.member, school.slot.id, organization=school.lincoln)
    assert hold.slot_id == school.slot.id


def test_a_public_opening_mails_the_member_too(
    session: Session, full_day: Any, school: Any
) -> None:
    cancel(session, public_id=full_day.booking.public_id, now=NOW, waitlist=MAIL)

    assert {to for to, _ in _mailed(session)} == {school.member.email, school.public.email}


def test_an_inactive_organizations_opening_mails_no_one(
    session: Session, full_day: Any, school: Any
) -> None:
    school.lincoln.active = False
    session.commit()

    cancel(session, public_id=school.booking.public_id, now=NOW, waitlist=MAIL)

    assert _mailed(session) == []


def test_the_organizations_link_refuses_a_client_who_left_it(
    session: Session, full_day: Any, school: Any
) -> None:
    cancel(session, public_id=school.booking.public_id, now=NOW, waitlist=MAIL)
    school.member.organization_id = None
    session.commit()

    with pytest.raises(NotAMember):
        _hold_by_link(session, school.member, school.slot.id, organization=school.lincoln)


def test_only_members_wait_through_an_organizations_link(
    session: Session, make: Any, full_day: Any, school: Any
) -> None:
    with pytest.raises(NotAMember):
        _join(session, full_day, make.client(), organization=school.lincoln)


def test_an_organizations_day_with_its_own_time_left_has_no_waiting_list(
    session: Session, make: Any, full_day: Any, school: Any
) -> None:
    make.slot(
        START + timedelta(hours=5),
        service_types=[full_day.type],
        resource=full_day.resource,
        organization_id=school.lincoln.id,
    )
    newcomer = make.client(organization_id=school.lincoln.id)

    with pytest.raises(waitlist.TimesAvailable):
        _join(session, full_day, newcomer, organization=school.lincoln)
    _join(session, full_day, newcomer)  # the public widget has no time that day


# Two notifiers at once


@pytest.mark.postgres
@pytest.mark.parametrize("second", ["sweep", "release"])
def test_a_hold_that_ran_out_is_announced_once_by_two_notifiers_at_once(
    database_url: str, session: Session, make: Any, full_day: Any, second: str
) -> None:
    waiting = [make.client(), make.client(), make.client()]
    for n, client in enumerate(waiting):
        _join(session, full_day, client, now=NOW + timedelta(minutes=n))
    cancel(session, public_id=full_day.booking.public_id, now=NOW, waitlist=MAIL)
    before = len(_mailed(session))
    taken = hold_slot(  # a client outside the list holds the time, then leaves it
        session,
        slot_id=full_day.slot.id,
        service_type_id=full_day.type.id,
        now=NOW,
        hold_for=HOLD_FOR,
    )
    engine: Engine = racing_engine_for(database_url, 2)

    def notify(race_session: Session, n: int) -> None:
        if n == 0 or second == "sweep":
            reopen_expired_holds(race_session, now=RAN_OUT, mail=MAIL)
        else:  # the holder comes back and chooses another day: their hold is given back
            hold_slot(
                race_session,
                slot_id=full_day.later.id,
                service_type_id=full_day.type.id,
                now=RAN_OUT,
                hold_for=HOLD_FOR,
                release=taken,
                waitlist=MAIL,
            )

    try:
        outcomes = race(engine, notify, threads=2)
    finally:
        engine.dispose()

    assert outcomes == {"won": 2}
    again = _mailed(session)[before:]
    assert sorted(to for to, _ in again) == sorted(c.email for c in waiting)
    assert session.get_one(TimeSlot, full_day.slot.id).state is SlotState.OPEN
