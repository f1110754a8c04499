"""Settings, Clients and Bookings: the studio's editable lists of client statuses, lead sources,
booking reasons, and session and appointment statuses (lead sources and booking reasons may be
shown to clients online)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from admin import bp
from admin.forms import ChoiceNameForm
from admin.list_editing import ID_RULE, RowError, move_entry, rename_entry, set_entry_active
from admin.views_common import show_error, staff_required
from core.models import ListChoice, ListKind
from core.services import settings
from core.services.errors import BookingError
from core.services.settings import ONLINE_LISTS
from web.extensions import db


@dataclass(frozen=True)
class EditableList:
    slug: str
    kind: ListKind
    heading: str
    about: str
    add_label: str


PAGES = {
    "clients": (
        "Clients",
        (
            EditableList(
                "client-statuses",
                ListKind.CLIENT_STATUS,
                "Client statuses",
                "Where a client stands with the studio, for example Prospect or Client.",
                "New client status",
            ),
            EditableList(
                "lead-sources",
                ListKind.LEAD_SOURCE,
                "Lead sources",
                "How clients heard about the studio. Those shown online are offered as "
                "“How did you hear about us?” in the booking pages.",
                "New lead source",
            ),
        ),
    ),
    "bookings": (
        "Bookings",
        (
            EditableList(
                "booking-reasons",
                ListKind.BOOKING_REASON,
                "Booking reasons",
                "Why clients book, for example Holiday cards. Those shown online are offered as "
                "“Why are you booking?” in the booking pages.",
                "New booking reason",
            ),
            EditableList(
                "session-statuses",
                ListKind.SESSION_STATUS,
                "Session statuses",
                "Labels a session type gives its bookings when they are booked, rescheduled or "
                "cancelled, for example Session booked – online.",
                "New session status",
            ),
            EditableList(
                "appointment-statuses",
                ListKind.APPOINTMENT_STATUS,
                "Appointment statuses",
                "The same labels for appointment types.",
                "New appointment status",
            ),
        ),
    ),
}
_BY_SLUG = {(page, e.slug): e for page, (_, lists) in PAGES.items() for e in lists}
_PAGE_OF = {e.kind: page for page, (_, lists) in PAGES.items() for e in lists}


def _page(
    page: str,
    *,
    add_form: tuple[str, ChoiceNameForm] | None = None,
    row_error: RowError | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The page; `add_form` is (list slug, its form with errors), `row_error` (entry id, typed
    name, message)."""
    heading, lists = PAGES[page]
    entries = settings.all_lists(db.session, tuple(e.kind for e in lists))
    add_forms = {e.slug: ChoiceNameForm(prefix=e.slug, formdata=None) for e in lists}
    if add_form is not None:
        add_forms[add_form[0]] = add_form[1]
    for e in lists:
        add_forms[e.slug].name.label.text = e.add_label
    return render_template(
        "admin/settings_lists.html",
        page=page,
        heading=heading,
        lists=[(e, entries[e.kind], add_forms[e.slug]) for e in lists],
        online_kinds=ONLINE_LISTS,
        row_error=row_error,
    ), status


def _entry(choice_id: int) -> ListChoice:
    """An entry of one of these lists (invoice lists have their own page). Aborts with 404."""
    choice = settings.find_choice(db.session, choice_id)
    if choice.kind not in _PAGE_OF:
        abort(404)
    return choice


def _to_list(choice: ListChoice) -> Response:
    page = _PAGE_OF[choice.kind]
    anchor = next(e.slug for e in PAGES[page][1] if e.kind is choice.kind)
    return redirect(url_for("admin.list_settings", page=page, _anchor=anchor), 303)


@bp.get("/settings/<any(clients, bookings):page>")
@staff_required
def list_settings(page: str) -> tuple[str, int]:
    """The Clients or Bookings lists."""
    return _page(page)


@bp.post("/settings/<any(clients, bookings):page>/<slug>")
@staff_required
def add_list_entry(page: str, slug: str) -> Response | tuple[str, int]:
    """Add an entry at the end of one of the lists."""
    editable = _BY_SLUG.get((page, slug)) or abort(404)
    form = ChoiceNameForm(prefix=slug)
    if not form.validate_on_submit():
        return _page(page, add_form=(slug, form), status=400)
    try:
        choice = settings.add_choice(db.session, editable.kind, form.name.data or "")
    except BookingError as error:
        return _page(page, add_form=(slug, form), status=show_error(form, error, form.name))
    flash(f"“{choice.name}” added to {editable.heading.lower()}.", "success")
    return _to_list(choice)


@bp.post(f"/settings/lists/entries/{ID_RULE}/rename")
@staff_required
def rename_list_entry(choice_id: int) -> Response | tuple[str, int]:
    """Rename an entry; clients and bookings that have it show the new name."""
    page = _PAGE_OF[_entry(choice_id).kind]
    choice = rename_entry(
        choice_id, lambda row_error, status: _page(page, row_error=row_error, status=status)
    )
    return choice if isinstance(choice, tuple) else _to_list(choice)


@bp.post(f"/settings/lists/entries/{ID_RULE}/<any(retire, restore):action>")
@staff_required
def set_list_entry_active(choice_id: int, action: str) -> Response:
    """Stop offering an entry (clients and bookings that have it keep it), or offer it again."""
    _entry(choice_id)
    return _to_list(set_entry_active(choice_id, action == "restore", "clients and bookings"))


@bp.post(f"/settings/lists/entries/{ID_RULE}/<any(show, hide):action>-online")
@staff_required
def set_list_entry_online(choice_id: int, action: str) -> Response:
    """Offer a lead source or booking reason to clients in the booking pages, or stop."""
    if _entry(choice_id).kind not in ONLINE_LISTS:
        abort(404)
    choice = settings.set_choice_show_online(db.session, choice_id, action == "show")
    where = "shown to clients online" if choice.show_online else "for staff only"
    flash(f"“{choice.name}” is now {where}.", "success")
    return _to_list(choice)


@bp.post(f"/settings/lists/entries/{ID_RULE}/move")
@staff_required
def move_list_entry(choice_id: int) -> Response:
    """Move an entry up or down its list."""
    _entry(choice_id)
    return _to_list(move_entry(choice_id))
