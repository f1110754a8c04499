"""What a staff member's security levels let them do (seed 001, "Security Options")."""

from __future__ import annotations

from core.models.people import SlotAccess


def may_see_slots(level: int) -> bool:
    return level >= SlotAccess.MODIFY_OVERRIDABLE


def may_create_slots(level: int) -> bool:
    """Create new slots: one at a time, on the calendar, by copying a week or from a pattern."""
    return level >= SlotAccess.CREATE


def may_change_slot(level: int, overridable: bool) -> bool:
    """Edit, move or delete a slot: any slot with full access, an overridable one below it."""
    return level >= SlotAccess.FULL or (overridable and level >= SlotAccess.MODIFY_OVERRIDABLE)
