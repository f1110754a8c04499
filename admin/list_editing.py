"""What both list pages (Invoices settings; Clients and Bookings settings) do to one entry of an
editable list: rename, retire or restore, move. The pages differ only in where they show it."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, request

from admin.forms import ChoiceNameForm
from core.models import ListChoice
from core.services import settings
from core.services.settings import ChoiceNameTaken, InvalidChoiceName
from web.extensions import db

# (entry id, the name typed, the message): shown on that entry's row.
RowError = tuple[int, str, str]
Rerender = Callable[[RowError, int], tuple[str, int]]

ID_RULE = "<int(max=2147483647):choice_id>"
_OFFSETS = {"up": -1, "down": 1}


def rename_entry(choice_id: int, rerender: Rerender) -> ListChoice | tuple[str, int]:
    """The renamed entry, or the page again with the refusal on the entry's row."""
    typed = request.form.get("name", "")
    form = ChoiceNameForm()
    if not form.validate_on_submit():
        message = " ".join(form.name.errors) or InvalidChoiceName.default_message
        return rerender((choice_id, typed, message), 400)
    try:
        choice = settings.rename_choice(db.session, choice_id, form.name.data or "")
    except (InvalidChoiceName, ChoiceNameTaken) as error:
        return rerender((choice_id, typed, str(error)), error.status_code)
    flash(f"Renamed to “{choice.name}”.", "success")
    return choice


def set_entry_active(choice_id: int, active: bool, kept_by: str) -> ListChoice:
    """Retire (`kept_by` still keep it) or restore an entry, with a message saying so."""
    choice = settings.set_choice_active(db.session, choice_id, active)
    if active:
        flash(f"“{choice.name}” restored.", "success")
    else:
        flash(f"“{choice.name}” retired: it is no longer offered; {kept_by} keep it.", "success")
    return choice


def move_entry(choice_id: int) -> ListChoice:
    """Move an entry up or down its list (direction=up|down in the form); 400 otherwise."""
    direction = request.form.get("direction", "")
    if direction not in _OFFSETS:
        abort(400, "Choose to move the entry up or down.")
    return settings.move_choice(db.session, choice_id, _OFFSETS[direction])
