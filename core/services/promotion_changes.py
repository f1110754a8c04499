"""Staff change the promotions of a booking already made (issue 5): apply a promo code to a
booking that had none, change its code, or take one promotion off; and a client's uses.

A booking's promotions are decided together (a code that does not combine pushes the automatic
ones out; a code replaces the client's standing discount), so a change takes every promotion off
and decides again with the new code, in one transaction: a code that does not apply changes
nothing. Staff use codes in the studio (studio-only codes work) at the moment of the change; the
automatic promotions are decided as when the booking was made. Money already taken stays: a
lower total shows the invoice as overpaid, for staff to refund. Clients cannot change a code
once booked: only these functions do, and only the admin calls them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from core.models import (
    Booking,
    BookingStatus,
    Invoice,
    InvoiceLine,
    PriceCategory,
    Redemption,
    ServiceType,
    TimeSlot,
)
from core.rules import promotions as rules
from core.services import promotions
from core.services.billing._shared import MAX_ID, lock, money_text, transaction
from core.services.errors import BookingError, NotFound
from core.services.invoicing import studio_currency

_NOTE_PREFIX = "Promotion: "  # the note line `promotions.redeem` writes per promotion


class InvalidCode(BookingError):
    status_code = 400
    default_message = "Enter a promo code: letters, digits and spaces."


class CodeNotApplicable(BookingError):
    status_code = 422
    default_message = "This code cannot be used for this booking."


class NotChangeable(BookingError):
    """The booking is cancelled or rescheduled, or has no invoice for a code to discount."""

    status_code = 409
    default_message = "The promotions of this booking can no longer be changed."


@dataclass(frozen=True)
class Change:
    """What a change did to the booking's invoice, for the message staff read."""

    total_before: int
    total_after: int
    currency: str
    promotions: list[str]  # the names of the promotions the booking has now
    removed: str = ""  # the name of the promotion taken off

    @property
    def difference(self) -> int:
        return self.total_after - self.total_before


def change_code(session: Session, *, booking_id: int, code: str, now: datetime) -> Change:
    """Apply `code` to the booking, instead of the code it had (if any). Commits.

    Raises InvalidCode (blank or malformed), NotFound, NotChangeable (cancelled, rescheduled or
    no invoice) or CodeNotApplicable (unknown, or not valid for this booking: nothing changed).
    """
    typed = rules.normalize_code(code)
    if not typed:
        raise InvalidCode("Enter the promo code to apply.")
    if not rules.is_well_formed(typed):
        raise InvalidCode(f"That is not a promo code. {rules.CODE_FORMAT}")
    with transaction(session):
        booking, invoice = _locked(session, booking_id)
        service_type = session.get(ServiceType, booking.service_type_id)
        if service_type is not None and not service_type.accepts_promo_codes:
            raise CodeNotApplicable(
                f"{service_type.name} takes no promo codes: its online settings refuse every "
                "code typed for it."
            )
        before = _total(invoice)
        _take_all_off(session, booking, invoice, now)
        try:
            promotions.redeem(
                session,
                booking=booking,
                invoice=invoice,
                code=typed,
                now=now,
                online=False,
                as_booked=True,
            )
        except promotions.CodeNoLongerValid as refused:
            reason = refused.reason or CodeNotApplicable.default_message
            raise CodeNotApplicable(f"{typed} cannot be used for this booking: {reason}") from None
        return _change(session, booking, invoice, before)


def remove_promotion(
    session: Session, *, booking_id: int, redemption_id: int, now: datetime
) -> Change:
    """Take one promotion off the booking: its use counts again, its discount comes off. Commits.

    Taking a typed code off decides the rest again without it (the automatic promotions or the
    standing discount it displaced come back); an automatic promotion just comes off.
    Raises NotFound (not a live promotion of this booking) or NotChangeable.
    """
    with transaction(session):
        booking, invoice = _locked(session, booking_id)
        redemption = session.scalar(
            select(Redemption)
            .where(
                Redemption.id == min(redemption_id, MAX_ID),
                Redemption.booking_id == booking.id,
                Redemption.released_at.is_(None),
            )
            .options(
                selectinload(Redemption.lines),
                joinedload(Redemption.promotion),
                joinedload(Redemption.promo_item),
            )
        )
        if redemption is None:
            raise NotFound("That promotion is not on this booking any more.")
        before = _total(invoice)
        removed = promotion_name(redemption)
        if redemption.code or redemption.promo_item_id is not None:
            _take_all_off(session, booking, invoice, now)
            promotions.redeem(
                session,
                booking=booking,
                invoice=invoice,
                code="",
                now=now,
                online=False,
                as_booked=True,
            )
        else:
            promotions.release(session, redemption, now)
            name = redemption.promotion.name if redemption.promotion else ""
            _drop_notes(invoice, lambda line: line.description == f"{_NOTE_PREFIX}{name}"[:200])
        return replace(_change(session, booking, invoice, before), removed=removed)


def _locked(session: Session, booking_id: int) -> tuple[Booking, Invoice]:
    """The live booking and its invoice, locked in that order (as rescheduling takes them)."""
    if booking_id > MAX_ID:
        raise NotFound("We could not find that booking.")
    if session.get_bind().dialect.name == "sqlite":  # SQLite ignores FOR UPDATE: take its lock
        session.execute(
            update(Booking)
            .where(Booking.id == booking_id)
            .values(id=Booking.id)
            .execution_options(synchronize_session=False)
        )
    booking = session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if booking is None:
        raise NotFound("We could not find that booking.")
    if booking.status is BookingStatus.CANCELLED:
        raise NotChangeable("This booking is cancelled: its promotions can no longer change.")
    if booking.status is BookingStatus.RESCHEDULED:
        raise NotChangeable(
            "This booking was rescheduled: change the promotions of the new booking."
        )
    invoice_id = session.scalar(select(Invoice.id).where(Invoice.booking_id == booking.id))
    invoice = lock(session, Invoice, invoice_id) if invoice_id is not None else None
    if invoice is None:
        raise NotChangeable("This booking has no invoice: a promo code discounts the invoice.")
    session.refresh(invoice, ["lines"])
    return booking, invoice


def _take_all_off(session: Session, booking: Booking, invoice: Invoice, now: datetime) -> None:
    """Every promotion off the booking: uses given back, discounts and note lines gone."""
    live = promotions.live_redemptions(session, [booking.id])[booking.id]
    items = {r.promo_item_id for r in live if r.promo_item_id is not None}
    for redemption in live:
        promotions.release(session, redemption, now)
    _drop_notes(
        invoice,
        lambda line: (
            (line.item_id is None and line.description.startswith(_NOTE_PREFIX))
            or line.item_id in items
        ),
    )
    # What is left is the client's standing discount, which keeps no redemption: it is decided
    # again with the rest.
    for line in invoice.lines:
        line.discount = 0


def _drop_notes(invoice: Invoice, is_note: Callable[[InvoiceLine], bool]) -> None:
    """Remove the $0 promotional lines that say what the booking got."""
    for line in list(invoice.lines):
        if (
            line.category is PriceCategory.PROMOTIONAL
            and line.unit_price == 0
            and not line.discount
            and is_note(line)
        ):
            invoice.lines.remove(line)


def _total(invoice: Invoice) -> int:
    return sum(line.amount for line in invoice.lines)


def _change(session: Session, booking: Booking, invoice: Invoice, before: int) -> Change:
    session.flush()
    live = promotions.live_redemptions(session, [booking.id])[booking.id]
    names = [promotion_name(r) for r in live]
    return Change(before, _total(invoice), invoice.currency, names)


def promotion_name(redemption: Redemption) -> str:
    """The promotion's name, or the promo item's (seed 000)."""
    if redemption.promotion is not None:
        return redemption.promotion.name
    if redemption.promo_item is not None:
        return redemption.promo_item.name
    return "Promotion"


def change_message(session: Session, change: Change, done: str) -> str:
    """'FSF applied. The invoice total went from $190.00 to $40.00.'"""
    if change.difference == 0:
        return f"{done} The invoice total stays {_money(session, change, change.total_after)}."
    return (
        f"{done} The invoice total went from {_money(session, change, change.total_before)} "
        f"to {_money(session, change, change.total_after)}."
    )


def _money(session: Session, change: Change, amount: int) -> str:
    return money_text(session, amount, change.currency)


# A client's uses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """One promotion a booking of the client got; `released_at` set once given back."""

    redemption: Redemption
    booking: Booking
    invoice_id: int | None
    currency: str

    @property
    def name(self) -> str:
        return promotion_name(self.redemption)


def client_uses(session: Session, client_id: int) -> list[Use]:
    """The client's promotion uses, given back ones too, newest first (one query)."""
    currency = studio_currency(session)
    rows = session.execute(
        select(Redemption, Booking, Invoice.id, Invoice.currency)
        .join(Booking, Booking.id == Redemption.booking_id)
        .outerjoin(Invoice, Invoice.booking_id == Booking.id)
        .where(Redemption.client_id == client_id)
        .options(
            joinedload(Redemption.promotion),
            joinedload(Redemption.promo_item),
            joinedload(Booking.slot).joinedload(TimeSlot.location),
            joinedload(Booking.service_type),
        )
        .order_by(Redemption.created_at.desc(), Redemption.id.desc())
    ).all()
    return [
        Use(redemption, booking, invoice_id, invoice_currency or currency)
        for redemption, booking, invoice_id, invoice_currency in rows
    ]
