"""Moving a booking to another time, and a client's booking history.

A reschedule is one transaction: the old booking is marked RESCHEDULED (kept, for history), its
slot opens and the slots it hid come back; then the new slot is claimed with the same
conditional UPDATE as a booking, so of two clients moving onto one time only one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from core.models import (
    Booking,
    BookingStatus,
    Deposit,
    Invoice,
    ListChoice,
    Payment,
    SlotState,
    TimeSlot,
)
from core.services import booking_mail, promotions
from core.services.availability import bookable, earliest_start
from core.services.booking import _claim, _offered_slot, find_booking
from core.services.change_limits import client_change_limits
from core.services.conflicts import bring_back_hidden_slots, hide_conflicting_slots
from core.services.errors import BookingError, SlotTaken, TooSoonToBook
from core.services.organizations import check_visible, slot_organization
from core.services.questions import copy_answers
from core.services.waitlist import WaitlistMail, booking_released, mark_booked


class NotReschedulable(BookingError):
    status_code = 409
    default_message = "This booking can no longer be rescheduled online."


def reschedulable_booking(
    session: Session, *, public_id: str, now: datetime, client_id: int | None = None
) -> Booking:
    """The live booking to move; for a client, their own and outside the reschedule notice.

    Raises NotFound or NotReschedulable.
    """
    booking = find_booking(session, public_id, client_id=client_id)
    if booking.status is not BookingStatus.BOOKED:
        raise NotReschedulable("This booking is no longer booked, so it cannot be rescheduled.")
    if client_id is not None:
        limits = client_change_limits(session, booking, now)
        if not limits.can_reschedule:
            raise NotReschedulable(limits.reschedule_refusal)
    return booking


def reschedule(
    session: Session,
    *,
    public_id: str,
    new_slot_id: int,
    now: datetime,
    client_id: int | None = None,
    mailer: booking_mail.BookingMailer | None = None,
    waitlist: WaitlistMail | None = None,
) -> Booking:
    """Move a live booking to a bookable slot offering its type; return the new booking.

    The old booking stays as RESCHEDULED with the type's rescheduled status; the new one has
    `rescheduled_from_id`, the same client, type, notes, reason and answers (copied, so the
    history keeps its own); the invoice, payments and deposits follow it. With `client_id` the
    reschedule notice applies to the old time and the booking notice to the new one (staff are
    not limited). The new booking is the same calendar event (UID) one SEQUENCE on; the client's
    'moved' mail is queued (with `mailer`).
    Raises NotFound, NotReschedulable, SlotNotOffered, TooSoonToBook or SlotTaken; nothing
    changes then.
    """
    try:
        new = _move(session, public_id, new_slot_id, now, client_id, waitlist)
        booking_mail.rescheduled(session, new, now=now, mailer=mailer)
        session.commit()
    except BookingError:
        session.rollback()
        raise
    return new


def _move(
    session: Session,
    public_id: str,
    new_slot_id: int,
    now: datetime,
    client_id: int | None,
    waitlist: WaitlistMail | None = None,
) -> Booking:
    old = reschedulable_booking(session, public_id=public_id, now=now, client_id=client_id)
    if new_slot_id == old.slot_id:
        raise NotReschedulable("That is already the time of this booking. Please choose another.")
    service_type = old.service_type
    new_slot = _offered_slot(session, new_slot_id, service_type.id)
    if client_id is not None:  # online, a booking moves within its link's slots (organizations)
        check_visible(new_slot, slot_organization(session, old.slot))
    # A client moving online keeps to the booking notice, as when booking; staff do not.
    not_before = earliest_start(session, service_type.kind, now) if client_id else None
    if not_before is not None and new_slot.start_at < not_before:
        raise TooSoonToBook()
    # Conditional, so a concurrent cancel or reschedule of the same booking cannot both win.
    marked = session.execute(
        update(Booking)
        .where(Booking.id == old.id, Booking.status == BookingStatus.BOOKED)
        .values(
            status=BookingStatus.RESCHEDULED,
            cancelled_at=now,
            status_label_id=service_type.rescheduled_status_id or old.status_label_id,
        )
    )
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        raise NotReschedulable("This booking was just changed. Please check My bookings.")
    _claim(session, old.slot_id, TimeSlot.state == SlotState.BOOKED, state=SlotState.OPEN)
    if waitlist is not None:  # the old time (and those it hid, but the new one) is free again
        booking_released(session, old, now, waitlist, taken_slot_id=new_slot.id)
    bring_back_hidden_slots(session, old.id)  # first: the new time may be one the old one hid
    free = bookable(now, not_before=not_before)
    if not _claim(
        session, new_slot.id, free, state=SlotState.BOOKED, hold_token=None, held_until=None
    ):
        raise SlotTaken()
    new = Booking(
        client_id=old.client_id,
        slot_id=new_slot.id,
        service_type_id=service_type.id,
        status=BookingStatus.BOOKED,
        booked_via=old.booked_via,
        booked_by_id=old.booked_by_id,
        description=old.description,
        notes=old.notes,
        reason_id=old.reason_id,
        status_label_id=service_type.rescheduled_status_id or service_type.booked_status_id,
        rescheduled_from_id=old.id,
        created_at=now,
        calendar_uid=old.calendar_uid,
        calendar_sequence=old.calendar_sequence + 1,
        attribution=old.attribution,
    )
    session.add(new)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the partial unique index: another live booking on this slot
        raise SlotTaken() from None
    copy_answers(session, old.id, new.id)
    mark_booked(
        session, client_id=new.client_id, service_type_id=service_type.id, slot=new_slot, now=now
    )
    if service_type.auto_remove_conflicts:
        hide_conflicting_slots(session, new, new_slot, now=now)
    for model in (Invoice, Payment, Deposit):
        session.execute(
            update(model)
            .where(model.booking_id == old.id)
            .values(booking_id=new.id)
            .execution_options(synchronize_session=False)
        )
    promotions.follow_reschedule(session, old.id, new.id)  # the same purchase keeps its discount
    return new


@dataclass(frozen=True)
class PastBooking:
    booking: Booking
    status_label: str | None  # the type's status at the time ("Session Cancelled - Online")

    @property
    def outcome(self) -> str:
        """'Cancelled', 'Rescheduled' or 'Completed', as the client reads it."""
        if self.booking.status is BookingStatus.BOOKED:
            return "Completed"
        return str(self.booking.status.value).capitalize()


def booking_history(
    session: Session, *, client_id: int, now: datetime, limit: int = 50
) -> list[PastBooking]:
    """A client's past, cancelled and rescheduled bookings, latest first, with status labels."""
    stmt = (
        select(Booking, ListChoice.name)
        .join(Booking.slot)
        .outerjoin(ListChoice, ListChoice.id == Booking.status_label_id)
        .options(
            joinedload(Booking.slot).joinedload(TimeSlot.location),
            joinedload(Booking.service_type),
        )
        .where(
            Booking.client_id == client_id,
            or_(Booking.status != BookingStatus.BOOKED, TimeSlot.end_at <= now),
        )
        .order_by(TimeSlot.start_at.desc(), Booking.id.desc())
        .limit(limit)
    )
    return [PastBooking(booking, label) for booking, label in session.execute(stmt)]


def offered_new_time(session: Session, booking: Booking, slot_id: int, now: datetime) -> TimeSlot:
    """The slot a client picked to move `booking` to, if it offers the type and is free now.

    Raises NotFound, SlotNotOffered, TooSoonToBook (the booking notice) or SlotTaken.
    """
    slot = _offered_slot(session, slot_id, booking.service_type_id)
    check_visible(slot, slot_organization(session, booking.slot))
    not_before = earliest_start(session, booking.service_type.kind, now)
    if not_before is not None and slot.start_at < not_before:
        raise TooSoonToBook()
    free = select(TimeSlot.id).where(TimeSlot.id == slot.id, bookable(now, not_before=not_before))
    if slot.id == booking.slot_id or session.scalar(free) is None:
        raise SlotTaken("That time is no longer free. Please choose another time.")
    return slot
