"""Whether a promotion may be used for this booking at all: validity, restrictions, use limits.

Each check returns None when it passes, or the reason a client reads. Wall-clock rules (dates,
weekdays, happy hours) are read in the booking location's timezone.
"""

from __future__ import annotations

from core.rules.promotions import messages
from core.rules.promotions.model import (
    BookingFacts,
    Channel,
    ClientFacts,
    Offer,
    Settings,
)

# Reasons that would tell a client about some other service type, resource or location: a typed
# code says CODE_NOT_VALID instead (the same as for an unknown code).
SCOPE_REASONS = frozenset(
    {
        messages.NOT_FOR_SERVICE_TYPE,
        messages.NOT_FOR_RESOURCE,
        messages.NOT_AT_LOCATION,
        messages.NOTHING_QUALIFIES,
    }
)


def validity(offer: Offer, booking: BookingFacts, settings: Settings) -> str | None:
    """Why the promotion is not valid for this booking's moment, place and channel, or None."""
    promotion = offer.promotion
    if not promotion.active:
        return messages.NO_LONGER_AVAILABLE
    booked = booking.local_booked_at
    redeem = promotion.redeem
    if redeem.start is not None and booked < redeem.start:
        return messages.not_yet_valid(redeem, settings)
    if redeem.end is not None and booked >= redeem.end:
        return messages.expired(redeem, settings)
    if promotion.channel is Channel.ONLINE and not booking.online:
        return messages.ONLINE_ONLY
    if promotion.channel is Channel.STUDIO and booking.online:
        return messages.STUDIO_ONLY
    if promotion.location_ids and booking.location_id not in promotion.location_ids:
        return messages.NOT_AT_LOCATION
    if promotion.service_type_ids and booking.service_type_id not in promotion.service_type_ids:
        return messages.NOT_FOR_SERVICE_TYPE
    if promotion.resource_ids and booking.resource_id not in promotion.resource_ids:
        return messages.NOT_FOR_RESOURCE
    slot = booking.local_slot_start
    if not promotion.appointment.contains(slot):
        return messages.appointments_between(promotion.appointment, settings)
    hours = promotion.hours
    if hours is not None and not hours.contains(slot.time()):
        return messages.hours(hours.start, hours.end, settings)
    if promotion.weekdays and slot.weekday() not in promotion.weekdays:
        return messages.weekdays(promotion.weekdays)
    return None


def restrictions(offer: Offer, client: ClientFacts | None, booking: BookingFacts) -> str | None:
    """Why this client may not use the promotion (who they are, what they used), or None."""
    promotion, usage = offer.promotion, offer.usage
    if promotion.needs_client:
        if client is None:
            return messages.LOG_IN
        if promotion.new_clients_only and not client.is_new:
            return messages.NEW_CLIENTS_ONLY
        if promotion.first_appointment_only and client.earlier_bookings > 0:
            return messages.FIRST_APPOINTMENT_ONLY
        if promotion.membership_required and not client.is_member:
            return messages.MEMBERS_ONLY
        if promotion.once_per_client and usage.client_uses > 0:
            return messages.USED_BY_CLIENT
    if promotion.once and usage.bookings > 0:
        return messages.ALREADY_USED
    if promotion.max_uses is not None:
        left = promotion.max_uses - usage.uses
        if left <= 0:
            return messages.ALREADY_USED
        if left < booking.appointments:
            return messages.uses_left(left, booking.appointments)
    return None


def for_client(reason: str, offer: Offer) -> str:
    """The reason as the client may see it: a typed code never reveals where else it works."""
    if offer.code is not None and reason in SCOPE_REASONS:
        return messages.CODE_NOT_VALID
    return reason
