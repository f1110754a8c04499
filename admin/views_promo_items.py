"""A service type's promo items (seed 000, myStratus "Online Booking 2" tab): the promotional
price list items whose codes clients may type when they book it. A list on the Billing tab;
htmx swaps it in place, without JavaScript the tab is shown again (303, or 4xx with the error)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from admin import bp
from admin.forms import PromoItemForm
from admin.views_common import money, show_error, staff_required
from core.models import FieldMode, ServiceKind, ServiceType
from core.services import catalog, promo_items
from core.services.errors import BookingError, NotFound
from core.services.preferences import kind_preferences
from web.extensions import db
from web.htmx import htmx_target

EDITOR_ID = "promo-items"
HEADING_ID = "promo-items-heading"
Page = Response | tuple[str, int]
_TYPE = "/service-types/<int(max=2147483647):service_type_id>"
_TAB = {ServiceKind.SESSION: "sessions", ServiceKind.APPOINTMENT: "appointments"}


def _why_no_codes(service_type: ServiceType) -> tuple[str, str] | None:
    """Why clients booking the type are not asked for a code: (sentence, where to change it)."""
    if not service_type.auto_create_invoice:
        link = url_for("admin.service_type_billing", service_type_id=service_type.id)
        return "“Auto-create invoice” is off, so clients are not asked for a promo code.", link
    if not service_type.accepts_promo_codes:
        link = url_for("admin.edit_service_type", service_type_id=service_type.id)
        return "This type does not take promo codes (its online settings).", link
    if kind_preferences(db.session, service_type.kind).promo_code_mode is FieldMode.HIDDEN:
        tab = _TAB[service_type.kind]
        link = url_for("admin.preferences_kind", tab=tab)
        return f"The promo code field is hidden on the {tab.capitalize()} tab.", link
    return None


def promo_editor(
    service_type: ServiceType, form: PromoItemForm | None = None, focus: str | None = None
) -> dict[str, Any]:
    """What the list shows: the items offered, the add form (keeping a refused choice and its
    message), why clients would not see a code field; `focus`: the element to focus after a
    swap."""
    form = form or PromoItemForm(prefix="promo", formdata=None)
    form.item.choices = [
        SelectChoice(item.id, f"{item.code} · {item.name} · {money(item.price)}")
        for item in promo_items.offerable_items(db.session, service_type.id)
    ]
    return {
        "offered": promo_items.offered_items(db.session, service_type.id),
        "usable": promo_items.usable,
        "form": form,
        "closed": _why_no_codes(service_type),
        "focus": focus,
    }


def _respond(
    service_type: ServiceType,
    message: str,
    status: int = 200,
    *,
    form: PromoItemForm | None = None,
    focus: str | None = None,
) -> Page:
    """htmx: the list in place (and the message for the live region). Without JavaScript:
    success goes back to the tab (303), a refusal shows the tab again with the message."""
    if htmx_target() == EDITOR_ID:
        return render_template(
            "admin/_promo_items_response.html",
            service_type=service_type,
            promo=promo_editor(service_type, form, focus),
            message=message,
            htmx=True,
        ), status
    if status < 400:
        flash(message, "success")
        return redirect(
            url_for(
                "admin.service_type_billing", service_type_id=service_type.id, _anchor=EDITOR_ID
            ),
            303,
        )
    if status == 404:
        flash(message, "error")
    from admin.views_service_types import _billing_page  # the Billing tab owns the page

    return _billing_page(service_type, promo_form=form, status=status)


@bp.post(f"{_TYPE}/promo-items")
@staff_required
def add_service_type_promo_item(service_type_id: int) -> Page:
    """Offer a promotional item's code to clients booking the type."""
    service_type = catalog.find_service_type(db.session, service_type_id)
    form = PromoItemForm(prefix="promo")
    not_added = "The promo item was not added: see the message next to the field."
    if not form.validate_on_submit():
        return _respond(service_type, not_added, 400, form=form, focus=form.item.id)
    try:
        item = promo_items.add_promo_item(db.session, service_type_id, form.item.data)
    except BookingError as error:
        status = show_error(form, error, form.item)
        return _respond(service_type, not_added, status, form=form, focus=form.item.id)
    return _respond(
        service_type,
        f"{item.code} offered: clients booking {service_type.name} may type it as a promo code.",
        focus=form.item.id,
    )


@bp.post(f"{_TYPE}/promo-items/<int(max=2147483647):item_id>/remove")
@staff_required
def remove_service_type_promo_item(service_type_id: int, item_id: int) -> Page:
    """Stop offering an item's code for the type; bookings made with it keep it."""
    service_type = catalog.find_service_type(db.session, service_type_id)
    try:
        item = promo_items.remove_promo_item(db.session, service_type_id, item_id)
    except NotFound as error:
        return _respond(service_type, str(error), error.status_code, focus=HEADING_ID)
    return _respond(
        service_type,
        f"{item.code} is no longer offered for {service_type.name}. "
        "Bookings made with it keep its line and discount.",
        focus=HEADING_ID,
    )
