"""Holding, booking and cancelling time slots.

Capacity is consumed by conditional UPDATEs that the database checks (`... WHERE state = 'open'`,
row count 1 or nothing), backed by a partial unique index on live bookings; never a check in
Python followed by a write. This holds under concurrent requests on PostgreSQL and on SQLite.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, ColumnElement, Update, and_, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from core.db import commit_without_waiting_for_disk, write_rows
from core.models import (
    BookedVia,
    Booking,
    BookingStatus,
    Organization,
    ServiceType,
    SlotState,
    TimeSlot,
)
from core.rules.embedding import clean_attribution
from core.services import booking_mail, booking_notices, invoicing, promotions
from core.services.availability import bookable, serves
from core.services.change_limits import client_change_limits
from core.services.conflicts import bring_back_hidden_slots, hide_conflicting_slots
from core.services.errors import (
    BookingError,
    HoldExpired,
    NotCancellable,
    NotFound,
    SlotNotOffered,
    SlotTaken,
    TooSoonToBook,
)
from core.services.organizations import (
    check_member_of_slot,
    check_visible,
    slots_visible,
)
from core.services.questions import GivenAnswer, record_answers
from core.services.waitlist import WaitlistMail, booking_released, mark_booked
from core.services.waitlist_openings import hold_released


@dataclass(frozen=True)
class Hold:
    """A client's short reservation of a slot; `token` proves it is theirs."""

    slot_id: int
    service_type_id: int
    token: str
    held_until: datetime


def _offered_slot(session: Session, slot_id: int, service_type_id: int) -> TimeSlot:
    """The slot, if it is offered for the type: one query on the slot's primary key (not its
    list of types, which a large studio's slots have several of)."""
    slot = session.scalar(select(TimeSlot).where(TimeSlot.id == slot_id, serves(service_type_id)))
    if slot is not None:
        return slot
    if session.get(TimeSlot, slot_id) is None:
        raise NotFound("That time does not exist. Please choose another time.")
    raise SlotNotOffered()


def _claim(
    session: Session, slot_id: int, condition: ColumnElement[bool], **values: object
) -> bool:
    """Move one slot to new values only if `condition` still holds; True if this call won."""
    result = session.execute(
        update(TimeSlot)
        .where(TimeSlot.id == slot_id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


# The claims a booking makes, built once with their values as bound parameters: building and
# caching an UPDATE's SQL took longer than running it (issue 9: 0.55 -> 0.27 ms each).
# (A parameter is named unlike any column of the table: those names are SQLAlchemy's own.)


def _claiming(condition: ColumnElement[bool], **values: object) -> Update:
    """`_claim`'s UPDATE of the slot `:slot_id`, its values bound later (`_claimed`)."""
    return (
        update(TimeSlot)
        .where(TimeSlot.id == bindparam("slot_id"), condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _claimed(session: Session, claim: Update, values: Mapping[str, Any]) -> bool:
    """Run a prebuilt claim with `values`; True if this call won the slot."""
    return write_rows(session, claim, values).rowcount == 1


_NO_HOLD: dict[str, object] = {"hold_token": None, "held_until": None}
_HOLDING = {
    "state": SlotState.HELD,
    "hold_token": bindparam("new_token", type_=TimeSlot.hold_token.type),
    "held_until": bindparam("new_until", type_=TimeSlot.held_until.type),
}
_HELD_BY_TOKEN = and_(TimeSlot.state == SlotState.HELD, TimeSlot.hold_token == bindparam("token"))
# A hold given back (the client chose another time), and a held time booked in time.
_RELEASE = _claiming(_HELD_BY_TOKEN, state=SlotState.OPEN, **_NO_HOLD)
_BOOK_HELD = _claiming(
    and_(
        serves(bindparam("service_type_id")), _HELD_BY_TOKEN, TimeSlot.held_until > bindparam("now")
    ),
    state=SlotState.BOOKED,
    **_NO_HOLD,
)


class _HoldShape(NamedTuple):
    """What changes the SQL of a hold's claim (not merely its values)."""

    with_notice: bool  # the studio's booking notice: no slot before `not_before`
    organization: bool  # an organization's link: its slots (and public ones, if it says so)
    include_public: bool
    renewing: bool  # the client chose their own held time again


@cache
def _hold_claim(shape: _HoldShape) -> Update:
    """The hold's one conditional UPDATE for `shape`: offered for the type in the context,
    not before the notice, and free (or the client's own hold, when renewing)."""
    now = bindparam("now", type_=TimeSlot.start_at.type)
    not_before = bindparam("not_before", type_=TimeSlot.start_at.type)
    free = bookable(now, not_before=not_before if shape.with_notice else None)
    if shape.renewing:
        free = or_(free, and_(TimeSlot.start_at > now, _HELD_BY_TOKEN))
    organization_id: BindParameter[int] | None = None
    if shape.organization:
        organization_id = bindparam("in_organization")
    offered = and_(
        serves(bindparam("service_type_id")),
        slots_visible(organization_id, include_public=shape.include_public),
    )
    if shape.with_notice:
        offered = and_(offered, TimeSlot.start_at >= not_before)
    return _claiming(and_(offered, free), **_HOLDING)


def hold_slot(
    session: Session,
    *,
    slot_id: int,
    service_type_id: int,
    now: datetime,
    hold_for: timedelta,
    release: Hold | None = None,
    earliest_start: datetime | None = None,
    organization: Organization | None = None,
    waitlist: WaitlistMail | None = None,
    client_id: int | None = None,
) -> Hold:
    """Hold a bookable slot for `hold_for`, releasing the client's previous hold (`release`;
    with `waitlist`, the clients waiting for its day but `client_id` hear of it). With
    `earliest_start` (the studio's booking notice), earlier slots are refused. Only slots
    offered in the context are held: public ones, or `organization`'s (see organizations).

    Raises NotFound, SlotNotOffered (SlotNotVisible), TooSoonToBook, or SlotTaken when someone
    else holds or booked it.
    """
    told_waiting = False  # mail to the clients waiting for a time given back
    renewing = release is not None and release.slot_id == slot_id  # the same time chosen again
    # Another time chosen: the previous one is given back (and waiting clients may hear of it).
    if release is not None and not renewing and _release(session, release) and waitlist is not None:
        hold_released(session, release.slot_id, now, waitlist, client_id=client_id)
        told_waiting = True
    shape = _HoldShape(
        with_notice=earliest_start is not None,
        organization=organization is not None,
        include_public=organization is not None and organization.include_public_slots,
        renewing=renewing,
    )
    hold = Hold(slot_id, service_type_id, secrets.token_urlsafe(24), now + hold_for)
    # One conditional UPDATE checks everything; why it refused is asked only when it did.
    won = _claimed(
        session,
        _hold_claim(shape),
        {
            "slot_id": slot_id,
            "service_type_id": service_type_id,
            "now": now,
            "not_before": earliest_start,
            "in_organization": organization.id if organization is not None else None,
            "token": release.token if renewing and release is not None else None,
            "new_token": hold.token,
            "new_until": hold.held_until,
        },
    )
    if not won:
        session.rollback()  # the previous hold stays the client's
        raise _hold_refusal(session, slot_id, service_type_id, earliest_start, organization)
    if told_waiting:
        session.commit()
    else:  # only a hold: should the database crash before it reaches the disk, it is open
        commit_without_waiting_for_disk(session)
    return hold


def _hold_refusal(
    session: Session,
    slot_id: int,
    service_type_id: int,
    earliest_start: datetime | None,
    organization: Organization | None,
) -> BookingError:
    """Why a slot could not be held: NotFound, SlotNotOffered (SlotNotVisible), TooSoonToBook,
    else SlotTaken (someone else holds or booked it)."""
    try:
        slot = _offered_slot(session, slot_id, service_type_id)
        check_visible(slot, organization)
    except BookingError as error:
        return error
    if earliest_start is not None and slot.start_at < earliest_start:
        return TooSoonToBook()
    return SlotTaken()


def _release(session: Session, hold: Hold) -> bool:
    """Give the held slot back; True if the hold was still there to give back."""
    return _claimed(session, _RELEASE, {"slot_id": hold.slot_id, "token": hold.token})


def release_hold(session: Session, hold: Hold) -> None:
    """Give a held slot back at once (the client chose another time or left)."""
    _release(session, hold)
    session.commit()


def book(
    session: Session,
    *,
    slot_id: int,
    service_type_id: int,
    client_id: int,
    now: datetime,
    hold: Hold | None = None,
    via: BookedVia = BookedVia.WIDGET,
    booked_by_id: int | None = None,
    description: str = "",
    notes: str = "",
    reason_id: int | None = None,
    answers: Sequence[GivenAnswer] = (),
    promo_code: str = "",
    mailer: booking_mail.BookingMailer | None = None,
    attribution: Mapping[str, object] | None = None,
) -> Booking:
    """Book a slot for a client: with the client's hold, or (staff) on a bookable slot; the
    type's invoice is created with it when the type says so; `answers` (to the studio's
    questions) and `attribution` (where an online client came from, cleaned) are kept with it;
    the client's confirmation is queued (with `mailer`). One transaction.

    Raises NotFound, SlotNotOffered, HoldExpired (the hold ran out) or SlotTaken.
    """
    try:
        booking = add_booking(
            session,
            slot_id=slot_id,
            service_type_id=service_type_id,
            client_id=client_id,
            now=now,
            hold=hold,
            via=via,
            booked_by_id=booked_by_id,
            description=description,
            notes=notes,
            reason_id=reason_id,
            answers=answers,
            promo_code=promo_code,
            attribution=attribution,
        )
        booking_mail.booked(session, booking, now=now, mailer=mailer)
        public_id = booking.public_id
        session.commit()
    except BookingError:
        session.rollback()
        raise
    # The commit expired the booking; what callers go on to (the redirect to its page) needs
    # only its public id, which never changes: kept, so it costs no query (and connection).
    set_committed_value(booking, "public_id", public_id)
    return booking


def add_booking(
    session: Session,
    *,
    slot_id: int,
    service_type_id: int,
    client_id: int,
    now: datetime,
    hold: Hold | None = None,
    via: BookedVia = BookedVia.WIDGET,
    booked_by_id: int | None = None,
    description: str = "",
    notes: str = "",
    reason_id: int | None = None,
    answers: Sequence[GivenAnswer] = (),
    promo_code: str = "",
    attribution: Mapping[str, object] | None = None,
) -> Booking:
    """`book` without the commit, for use cases that book as part of a larger transaction
    (paying and booking together). The caller rolls back if this raises. An organization's
    slot is booked online only for one of its members (NotAMember)."""
    if hold is not None and hold.slot_id != slot_id:
        raise SlotNotOffered("Your held time does not match this booking. Please start again.")
    slot = session.get(TimeSlot, slot_id)  # the held slot is in the session already
    if slot is None:
        raise NotFound("That time does not exist. Please choose another time.")
    if via is BookedVia.WIDGET:
        check_member_of_slot(session, client_id, slot)
    if hold is not None:
        won = _claimed(
            session,
            _BOOK_HELD,
            {
                "slot_id": slot_id,
                "service_type_id": service_type_id,
                "token": hold.token,
                "now": now,
            },
        )
    else:  # staff booking a free time
        won = _claim(
            session,
            slot_id,
            and_(serves(service_type_id), bookable(now)),
            state=SlotState.BOOKED,
            **_NO_HOLD,
        )
    if not won:
        _offered_slot(session, slot_id, service_type_id)  # raises NotFound or SlotNotOffered
        if hold is not None and hold.held_until <= now:
            raise HoldExpired()
        raise SlotTaken()
    service_type = session.get(ServiceType, service_type_id)
    booking = Booking(
        client_id=client_id,
        slot_id=slot.id,
        service_type_id=service_type_id,
        status=BookingStatus.BOOKED,
        booked_via=via,
        booked_by_id=booked_by_id,
        description=description,
        notes=notes,
        reason_id=reason_id,
        created_at=now,
        attribution=clean_attribution(attribution or {}),
        status_label_id=service_type.booked_status_id if service_type else None,
    )
    session.add(booking)
    try:
        # No savepoint: a refusal here ends the caller's transaction anyway (it rolls back).
        session.flush()
    except IntegrityError:  # the partial unique index: another live booking on this slot
        raise SlotTaken() from None
    record_answers(session, booking.id, answers)
    mark_booked(session, client_id=client_id, service_type_id=service_type_id, slot=slot, now=now)
    if service_type is not None and service_type.auto_remove_conflicts:
        hide_conflicting_slots(session, booking, slot, now=now)
    invoice_id = None
    if service_type is not None and service_type.auto_create_invoice:
        # Priced before it is written: its lines go in with their discounts and the
        # promotions' note lines, in one flush with the redemptions (no UPDATE after).
        invoice = invoicing.create_invoice_for_booking(session, booking, now=now, add=False)
        # The promotions it gets (typed code, auto-applied, standing discount), decided again
        # under locks; raises CodeNoLongerValid when the typed code stopped applying.
        promotions.redeem(
            session,
            booking=booking,
            invoice=invoice,
            code=promo_code,
            now=now,
            online=via is BookedVia.WIDGET,
        )
        session.add(invoice)
        session.flush()  # the invoice's id, for the staff notice's link
        invoice_id = invoice.id
    if via is BookedVia.WIDGET:  # staff hear of online bookings (issue 7)
        notice = booking_notices.new_booking(session, booking, invoice_id=invoice_id)
        booking_notices.notify(session, notice, now=now)
    return booking


def find_booking(session: Session, public_id: str, *, client_id: int | None = None) -> Booking:
    """A booking by its public id, optionally only if it belongs to `client_id`. Raises NotFound."""
    stmt = (
        select(Booking)
        .options(joinedload(Booking.slot).joinedload(TimeSlot.location))
        .options(joinedload(Booking.service_type))
        .where(Booking.public_id == public_id)
    )
    if client_id is not None:
        stmt = stmt.where(Booking.client_id == client_id)
    booking = session.scalar(stmt)
    if booking is None:
        raise NotFound("We could not find that booking.")
    return booking


def cancel(
    session: Session,
    *,
    public_id: str,
    now: datetime,
    client_id: int | None = None,
    mailer: booking_mail.BookingMailer | None = None,
    waitlist: WaitlistMail | None = None,
) -> Booking:
    """Cancel a live booking, open its slot again and bring back the slots it hid; the type's
    cancelled status is set, its calendar event's SEQUENCE rises and the client's cancellation
    is queued (with `mailer`).

    With `client_id` (a client cancelling their own) the booking must be theirs and outside the
    cancel notice (Sessions / Appointments tab). Raises NotFound or NotCancellable.
    """
    booking = find_booking(session, public_id, client_id=client_id)
    if booking.status is not BookingStatus.BOOKED:
        raise NotCancellable("This booking is already cancelled.")
    if client_id is not None:
        limits = client_change_limits(session, booking, now)
        if not limits.can_cancel:
            raise NotCancellable(limits.cancel_refusal)
    # Conditional, so of two concurrent cancellations only one releases what the booking held.
    result = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == BookingStatus.BOOKED)
        .values(
            status=BookingStatus.CANCELLED,
            cancelled_at=now,
            status_label_id=booking.service_type.cancelled_status_id,
            calendar_sequence=booking.calendar_sequence + 1,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise NotCancellable("This booking is already cancelled.")
    _claim(
        session,
        booking.slot_id,
        TimeSlot.state == SlotState.BOOKED,
        state=SlotState.OPEN,
        hold_token=None,
        held_until=None,
    )
    if waitlist is not None:  # clients waiting for the day hear of the time (and those it hid)
        booking_released(session, booking, now, waitlist)
    bring_back_hidden_slots(session, booking.id)
    promotions.release_for_booking(session, booking.id, now)  # the code can be used again
    cancelled = booking_notices.cancellation(session, booking, by_client=client_id is not None)
    booking_notices.notify(session, cancelled, now=now)
    booking_mail.cancelled(session, booking, now=now, mailer=mailer)
    session.commit()
    return booking


def upcoming_bookings(
    session: Session, *, now: datetime, client_id: int | None = None, limit: int = 200
) -> list[Booking]:
    """Live bookings whose slot has not ended, soonest first; a client's own or everyone's."""
    stmt = (
        select(Booking)
        .join(Booking.slot)
        .options(
            joinedload(Booking.slot).joinedload(TimeSlot.location),
            joinedload(Booking.slot).joinedload(TimeSlot.resource),
            joinedload(Booking.service_type),
            joinedload(Booking.client),
        )
        .where(Booking.status == BookingStatus.BOOKED, TimeSlot.end_at > now)
        .order_by(TimeSlot.start_at)
        .limit(limit)
    )
    if client_id is not None:
        stmt = stmt.where(Booking.client_id == client_id)
    return list(session.scalars(stmt))


def service_type_by_slug(session: Session, slug: str, *, online_only: bool = True) -> ServiceType:
    """The service type behind a deep link. Raises NotFound for unknown or offline types."""
    stmt = select(ServiceType).where(ServiceType.slug == slug)
    if online_only:
        stmt = stmt.where(ServiceType.online.is_(True))
    service_type = session.scalar(stmt)
    if service_type is None:
        raise NotFound("We could not find that session type. It may no longer be offered online.")
    return service_type
