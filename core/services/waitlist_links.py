"""The waitlist mail's link: it names the entry (so the client) and the time that opened, is
signed with the app's secret key and expires; opened by that client, it takes the ordinary hold
on the time (core.services.booking.hold_slot), so the first to confirm gets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from core.models import Organization, TimeSlot, WaitlistEntry, WaitlistStatus
from core.services.booking import Hold, hold_slot
from core.services.errors import BookingError
from core.services.organizations import check_member_of_slot
from core.services.waitlist import WaitlistMail

SALT = "studiobook.waitlist-hold"


class HoldLinkInvalid(BookingError):
    status_code = 400
    default_message = (
        "This link is not valid. It may have been copied incompletely. "
        "Please open it from the email again, or choose a time in the calendar."
    )


class HoldLinkExpired(HoldLinkInvalid):
    default_message = (
        "This link has expired. If a time is still free you can choose it in the calendar; "
        "you stay on the waiting list."
    )


class HoldLinkNotYours(BookingError):
    status_code = 403
    default_message = (
        "This link was sent to another client. Please log out and log in with the account "
        "the email was sent to."
    )


class NoLongerWaiting(BookingError):
    status_code = 409
    default_message = "You are no longer on the waiting list for this day."


@dataclass(frozen=True)
class HoldLink:
    entry: WaitlistEntry
    slot_id: int


def _serializer(secret_key: str, now: datetime) -> URLSafeTimedSerializer:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())  # the clock is a parameter, never time.time()

    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=ClockSigner)


def make_token(entry: WaitlistEntry, slot_id: int, *, secret_key: str, now: datetime) -> str:
    """A hold link token for this entry's client and this slot, signed at `now`."""
    return _serializer(secret_key, now).dumps([entry.id, entry.client_id, slot_id])


def read_token(
    session: Session, token: str, *, secret_key: str, max_age: timedelta, now: datetime
) -> HoldLink:
    """The entry and slot a valid token names. Raises HoldLinkExpired or HoldLinkInvalid
    (tampered, truncated, or no such entry)."""
    try:
        payload: Any = _serializer(secret_key, now).loads(
            token, max_age=int(max_age.total_seconds())
        )
    except SignatureExpired:
        raise HoldLinkExpired() from None
    except BadData:
        raise HoldLinkInvalid() from None
    if not (
        isinstance(payload, list) and len(payload) == 3 and all(isinstance(p, int) for p in payload)
    ):
        raise HoldLinkInvalid()
    entry = session.get(WaitlistEntry, payload[0])
    if entry is None or entry.client_id != payload[1]:
        raise HoldLinkInvalid()
    return HoldLink(entry, payload[2])


def hold_for_client(
    session: Session,
    link: HoldLink,
    *,
    client_id: int,
    now: datetime,
    hold_for: timedelta,
    release: Hold | None = None,
    earliest_start: datetime | None = None,
    organization: Organization | None = None,
    waitlist: WaitlistMail | None = None,
) -> Hold:
    """Hold the link's time for its client (as the booking flow does, releasing their previous
    hold: with `waitlist`, others waiting hear of that one); an organization's time is held in
    its context (`organization`, from the link) for its members. Commits. Raises
    HoldLinkNotYours, NoLongerWaiting, NotAMember, or what hold_slot raises: SlotNotVisible
    (the link lost its context), SlotTaken when someone else holds or booked it first (the
    client stays on the list)."""
    entry = link.entry
    if entry.client_id != client_id:
        raise HoldLinkNotYours()
    if entry.status is WaitlistStatus.BOOKED:
        raise NoLongerWaiting(
            "You have booked this day already, so this link no longer holds a time. "
            "My bookings shows your booking."
        )
    if entry.status is not WaitlistStatus.WAITING:
        raise NoLongerWaiting("You left the waiting list for this day, so this link has ended.")
    slot = session.get(TimeSlot, link.slot_id)
    if slot is not None:  # a member when mailed, perhaps not now
        check_member_of_slot(session, client_id, slot)
    return hold_slot(
        session,
        slot_id=link.slot_id,
        service_type_id=entry.service_type_id,
        now=now,
        hold_for=hold_for,
        release=release,
        earliest_start=earliest_start,
        organization=organization,
        waitlist=waitlist,
        client_id=client_id,
    )
