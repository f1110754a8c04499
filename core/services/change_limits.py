"""Scheduling limits for clients (seed 001, Sessions / Appointments tabs): how close to its start
a client may still reschedule or cancel a booking online. Staff are never limited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.models import Booking, BookingStatus
from core.services.preferences import kind_preferences


def describe_notice(minutes: int) -> str:
    """'24 hours', '2 days', '90 minutes': the notice as a client reads it."""
    if minutes % 1440 == 0 and minutes >= 2880:
        return f"{minutes // 1440} days"
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@dataclass(frozen=True)
class ChangeLimits:
    """What a client may still do with one booking, and why not when they may not."""

    can_reschedule: bool
    can_cancel: bool
    reschedule_refusal: str = ""
    cancel_refusal: str = ""

    @property
    def explanation(self) -> str:
        """One message for the booking, for whatever the client can no longer do online."""
        if self.cancel_refusal and self.reschedule_refusal:
            if self.cancel_refusal == self.reschedule_refusal:
                return self.cancel_refusal
            return f"{self.reschedule_refusal} {self.cancel_refusal}"
        return self.cancel_refusal or self.reschedule_refusal


def _refusal(verb: str, start_at: datetime, now: datetime, notice: int | None) -> str:
    if start_at <= now:
        return f"This booking has already started, so it cannot be {verb} online."
    if notice is not None and start_at - now < timedelta(minutes=notice):
        return (
            f"Bookings can be {verb} online up to {describe_notice(notice)} before they start. "
            "Please call the studio."
        )
    return ""


def client_change_limits(session: Session, booking: Booking, now: datetime) -> ChangeLimits:
    """Whether the client may reschedule and cancel `booking` at `now`, with the reasons."""
    if booking.status is not BookingStatus.BOOKED:
        done = "This booking is no longer booked."
        return ChangeLimits(False, False, done, done)
    prefs = kind_preferences(session, booking.service_type.kind)
    start_at = booking.slot.start_at
    reschedule = _refusal("rescheduled", start_at, now, prefs.notice_reschedule_minutes)
    cancel = _refusal("cancelled", start_at, now, prefs.notice_cancel_minutes)
    return ChangeLimits(not reschedule, not cancel, reschedule, cancel)
