"""Service types (sessions and appointments): list, create, edit, and their deep links."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from admin import bp
from admin.forms import ServiceTypeForm
from admin.views_common import show_error, staff_required
from core.services import catalog
from core.services.catalog import InvalidSlug, SlugTaken
from core.services.errors import BookingError
from web.extensions import db


def booking_link(slug: str) -> str:
    """The deep link marketing sends: straight to this type in the client widget."""
    return url_for("widget.book_type", slug=slug, _external=True)


@bp.get("/service-types")
@staff_required
def service_types() -> str:
    """Every session and appointment type."""
    return render_template(
        "admin/service_types.html", service_types=catalog.all_service_types(db.session)
    )


@bp.route("/service-types/new", methods=["GET", "POST"])
@staff_required
def new_service_type() -> Response | tuple[str, int]:
    """Create a service type; then its page, where the booking link can be copied."""
    form = ServiceTypeForm(data={"duration_minutes": 60})
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            created = catalog.create_service_type(db.session, form.details())
        except (InvalidSlug, SlugTaken) as error:
            status = show_error(form, error, form.slug)
        except BookingError as error:
            status = show_error(form, error)
        else:
            flash(f"“{created.name}” created. Its online booking link is below.", "success")
            return redirect(url_for("admin.edit_service_type", service_type_id=created.id), 303)
    return render_template("admin/service_type_form.html", form=form, service_type=None), status


# max: an id the database could never hold is a 404 from routing, not an overflow in the query.
@bp.route("/service-types/<int(max=2147483647):service_type_id>", methods=["GET", "POST"])
@staff_required
def edit_service_type(service_type_id: int) -> Response | tuple[str, int]:
    """Change a service type's settings; shows the online booking link to copy."""
    service_type = catalog.find_service_type(db.session, service_type_id)
    form = ServiceTypeForm(data=ServiceTypeForm.initial(service_type))
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            catalog.update_service_type(db.session, service_type_id, form.details())
        except (InvalidSlug, SlugTaken) as error:
            status = show_error(form, error, form.slug)
        except BookingError as error:
            status = show_error(form, error)
        else:
            flash(f"“{service_type.name}” saved.", "success")
            return redirect(url_for("admin.service_types"), 303)
    return render_template(
        "admin/service_type_form.html",
        form=form,
        service_type=service_type,
        link=booking_link(service_type.slug),
    ), status
