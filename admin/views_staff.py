"""Staff accounts (seed 001, "Security Options"): the list, and each account's role and levels.
Administrators only; everyone else gets 403 and no "Staff" entry in the nav."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from admin import bp
from admin.forms_staff import NewStaffForm, StaffForm
from admin.views_common import show_error, staff_required
from core.models import SlotAccess, Staff
from core.services import staff as staff_service
from core.services.errors import BookingError, InvalidDetails
from web.auth import current_staff
from web.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
_ID = "<int(max=2147483647):staff_id>"


def administrator_required(view: F) -> F:
    """Staff only, and only administrators (403 otherwise)."""

    @staff_required
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not staff_service.is_administrator(current_staff()):
            abort(403, str(staff_service.NotAdministrator()))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _me() -> Staff:
    return cast(Staff, current_staff())


def _show(form: StaffForm, error: BookingError) -> int:
    """A field's message next to it, any other atop the form; returns the status."""
    db.session.rollback()
    if isinstance(error, InvalidDetails):
        for name, message in error.errors.items():
            (form[name].errors if name in form else form.form_errors).append(message)
        return error.status_code
    return show_error(form, error)


def _form_page(form: StaffForm, staff: Staff | None, status: int = 200) -> tuple[str, int]:
    return render_template("admin/staff_form.html", form=form, member=staff), status


@bp.get("/staff")
@administrator_required
def staff_list() -> str:
    """Every staff account with its role, levels and whether it may log in."""
    return render_template(
        "admin/staff.html", staff=staff_service.list_staff(db.session), SlotAccess=SlotAccess
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@administrator_required
def new_staff() -> Response | tuple[str, int]:
    """Create an account; a generated password is shown once, on the page that follows."""
    form = NewStaffForm(data={"role": "staff", "slot_access": 0, "active": True})
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            created = staff_service.create_staff(
                db.session, _me(), form.details(), password=form.password.data
            )
        except BookingError as error:
            status = _show(form, error)
        else:
            if created.password is None:
                flash(f"{created.staff.name} can now log in as {created.staff.email}.", "success")
                return redirect(url_for("admin.staff_list"), 303)
            # Rendered, not redirected: the password is stored nowhere but in this one response.
            return render_template("admin/staff_created.html", created=created), 201
    return _form_page(form, None, status)


@bp.route(f"/staff/{_ID}", methods=["GET", "POST"])
@administrator_required
def edit_staff(staff_id: int) -> Response | tuple[str, int]:
    """An account's name, email, role, levels and whether it may log in."""
    member = staff_service.find_staff(db.session, staff_id)
    if request.method == "GET":
        return _form_page(StaffForm(data=StaffForm.initial(member), formdata=None), member)
    form = StaffForm()
    status = 400
    if form.validate_on_submit():
        try:
            saved = staff_service.update_staff(db.session, _me(), staff_id, form.details())
        except BookingError as error:
            status = _show(form, error)
        else:
            flash(f"{saved.name}’s account is saved.", "success")
            if not staff_service.is_administrator(_me()):  # they just gave up the role
                return redirect(url_for("admin.home"), 303)
            return redirect(url_for("admin.staff_list"), 303)
    return _form_page(form, staff_service.find_staff(db.session, staff_id), status)
