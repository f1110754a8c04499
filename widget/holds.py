"""The client's current hold, kept in the widget session between steps."""

from __future__ import annotations

from datetime import datetime

from flask import g, session
from sqlalchemy.orm import joinedload

from core.db import ById
from core.models import TimeSlot
from core.services.booking import Hold
from web.extensions import db

_KEY = "hold"
# The held slot as the later steps show it: its location and resource with it.
_held_slot_by_id = ById(TimeSlot, joinedload(TimeSlot.location), joinedload(TimeSlot.resource))


def current_hold() -> Hold | None:
    data = session.get(_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return Hold(
            slot_id=int(data["slot_id"]),
            service_type_id=int(data["service_type_id"]),
            token=str(data["token"]),
            held_until=datetime.fromisoformat(data["held_until"]),
        )
    except (KeyError, TypeError, ValueError):
        forget_hold()
        return None


def held_slot(hold: Hold) -> TimeSlot | None:
    """The held slot, loaded once per request: the check before the view and the view itself
    both ask, and the ORM session keeps no object nobody holds on to (kept on `g`)."""
    kept: TimeSlot | None = g.get("held_slot")
    if kept is None or kept.id != hold.slot_id:
        kept = _held_slot_by_id(db.session, hold.slot_id)
        g.held_slot = kept
    return kept


def remember_hold(hold: Hold) -> None:
    session[_KEY] = {
        "slot_id": hold.slot_id,
        "service_type_id": hold.service_type_id,
        "token": hold.token,
        "held_until": hold.held_until.isoformat(),
    }


def forget_hold() -> None:
    session.pop(_KEY, None)


# What survives logging in: the held time, a promo code a marketing link brought (widget.promo),
# where the client came from and which page frames the widget (widget.embedding), and whether
# the visit came from a frame that refused cookies (widget.handoff).
PROMO_CODE_KEY = "promo_code"
ATTRIBUTION_KEY = "attribution"
EMBED_PARENT_KEY = "embed_parent"
HANDOFF_KEY = "handed_off_from"
KEEP_ON_LOGIN = (_KEY, PROMO_CODE_KEY, ATTRIBUTION_KEY, EMBED_PARENT_KEY, HANDOFF_KEY)
