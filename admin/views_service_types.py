"""Service types (sessions and appointments, each with its own list): create, edit with the
online settings (statuses, auto-remove conflicts, marketing image), their deep links, and their
billing: auto-create invoice, online payment, the price list items on the invoice, and the promo
items clients may type as codes (admin.views_promo_items)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from admin import bp
from admin.forms import (
    PAYMENT_OPTIONS,
    BillingForm,
    PromoItemForm,
    QuantityForm,
    ServiceTypeForm,
    TypeImageForm,
    TypeItemForm,
)
from admin.views_common import money, show_error, staff_required
from admin.views_promo_items import promo_editor
from core.models import ServiceKind, ServiceType
from core.rules import promotions as rules
from core.services import catalog, pricelist, promotion_codes
from core.services.catalog import (
    STATUS_FIELDS,
    InvalidBilling,
    InvalidSlug,
    InvalidTypeStatus,
    SlugTaken,
)
from core.services.errors import BookingError
from core.services.pricelist import InvalidQuantity
from web.clock import now
from web.extensions import db


def booking_link(slug: str, code: str = "") -> str:
    """The deep link marketing sends: straight to this type in the client widget, with a promo
    code applied at review when given."""
    return url_for("widget.book_type", slug=slug, code=code or None, _external=True)


def _link_code() -> tuple[str, str, bool]:
    """The promo code staff asked to add to the link (?link_code=), normalized; a message about
    it; and whether the message is an error (a code no client could type)."""
    typed = request.args.get("link_code", "")[:100]
    code = rules.normalize_code(typed)
    if not code:
        return "", "", False
    if not rules.is_well_formed(code):
        return "", "A promo code is letters, digits and spaces, at most 40 characters.", True
    if not promotion_codes.taken_codes(db.session, [code]):
        return (
            code,
            (
                f"No promotion or promo item has the code {code} yet: clients following "
                "this link are told it is not valid until one does."
            ),
            False,
        )
    return code, "", False


KIND_PAGES = {
    ServiceKind.SESSION: ("admin.service_types", "service_types", "Session types"),
    ServiceKind.APPOINTMENT: ("admin.appointment_types", "appointment_types", "Appointment types"),
}


def _list_page(kind: ServiceKind) -> str:
    return render_template(
        "admin/service_types.html",
        kind=kind,
        page=KIND_PAGES[kind],
        service_types=catalog.all_service_types(db.session, kind),
    )


@bp.get("/service-types")
@staff_required
def service_types() -> str:
    """Every session type (appointment types have their own list)."""
    return _list_page(ServiceKind.SESSION)


@bp.get("/appointment-types")
@staff_required
def appointment_types() -> str:
    """Every appointment type."""
    return _list_page(ServiceKind.APPOINTMENT)


def _status_options(kind: ServiceKind, current: set[int | None]) -> list[SelectChoice]:
    """No status, then the kind's active statuses, and saved ones even if since retired."""
    entries = catalog.status_choices(db.session, kind)
    shown = [e for e in entries if e.active or e.id in current]
    return [SelectChoice("", "No status")] + [
        SelectChoice(str(e.id), e.name if e.active else f"{e.name} (retired)") for e in shown
    ]


def _form_page(
    form: ServiceTypeForm,
    service_type: ServiceType | None,
    status: int,
    image_form: TypeImageForm | None = None,
) -> tuple[str, int]:
    """The new or edit page; the status selects offer the list of the kind shown in the form."""
    kind = ServiceKind(form.kind.data) if form.kind.data in _KINDS else ServiceKind.SESSION
    saved = {getattr(service_type, f) for f in STATUS_FIELDS} if service_type else set()
    for name in STATUS_FIELDS:
        form[name].choices = _status_options(kind, saved)
    extra: dict[str, object] = {}
    if service_type is not None:
        code, code_message, bad_code = _link_code()
        status = 400 if bad_code and status == 200 else status
        extra = {
            "link": booking_link(service_type.slug, code),
            "link_code": request.args.get("link_code", "")[:100],
            "link_code_message": code_message,
            "bad_link_code": bad_code,
            "summary": catalog.billing_summary(
                service_type, pricelist.type_items(db.session, service_type.id)
            ),
            "image_form": image_form or TypeImageForm(formdata=None),
            "image_url": _image_url(service_type),
        }
    return render_template(
        "admin/service_type_form.html",
        form=form,
        service_type=service_type,
        page=KIND_PAGES[kind],
        **extra,
    ), status


_KINDS = {kind.value for kind in ServiceKind}


def _image_url(service_type: ServiceType) -> str | None:
    public_id = catalog.image_public_ids(db.session).get(service_type.id)
    return url_for("widget.stored_file", public_id=public_id) if public_id else None


def _save_errors(form: ServiceTypeForm, error: BookingError) -> int:
    if isinstance(error, (InvalidSlug, SlugTaken)):
        return show_error(form, error, form.slug)
    if isinstance(error, InvalidTypeStatus):
        return show_error(form, error, form[error.field])
    return show_error(form, error)


@bp.route("/service-types/new", methods=["GET", "POST"])
@staff_required
def new_service_type() -> Response | tuple[str, int]:
    """Create a service type (?kind=appointment preselects the kind); then its page, where the
    booking link can be copied."""
    kind = request.args.get("kind", ServiceKind.SESSION.value)
    form = ServiceTypeForm(data={"duration_minutes": 60, "kind": kind, "accepts_promo_codes": True})
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            created = catalog.create_service_type(db.session, form.details())
        except BookingError as error:
            status = _save_errors(form, error)
        else:
            flash(f"“{created.name}” created. Its online booking link is below.", "success")
            return redirect(url_for("admin.edit_service_type", service_type_id=created.id), 303)
    return _form_page(form, None, status)


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
        except BookingError as error:
            status = _save_errors(form, error)
        else:
            flash(f"“{service_type.name}” saved.", "success")
            return redirect(url_for(KIND_PAGES[service_type.kind][0]), 303)
    return _form_page(form, service_type, status)


@bp.post("/service-types/<int(max=2147483647):service_type_id>/image")
@staff_required
def upload_service_type_image(service_type_id: int) -> Response | tuple[str, int]:
    """Upload the marketing image shown with the type in the booking pages."""
    service_type = catalog.find_service_type(db.session, service_type_id)
    image_form = TypeImageForm()
    if image_form.validate_on_submit():
        data = image_form.image.data.read() if image_form.image.data else b""
        try:
            catalog.set_type_image(db.session, service_type_id, data, now=now())
        except BookingError as error:
            db.session.rollback()
            status = show_error(image_form, error, image_form.image)
        else:
            flash("Marketing image saved: clients see it when they choose.", "success")
            return redirect(
                url_for("admin.edit_service_type", service_type_id=service_type_id), 303
            )
    else:
        status = 400
    form = ServiceTypeForm(data=ServiceTypeForm.initial(service_type), formdata=None)
    return _form_page(form, service_type, status, image_form)


@bp.post("/service-types/<int(max=2147483647):service_type_id>/image/remove")
@staff_required
def remove_service_type_image(service_type_id: int) -> Response:
    """Stop showing a marketing image with the type."""
    catalog.remove_type_image(db.session, service_type_id)
    flash("Marketing image removed.", "success")
    return redirect(url_for("admin.edit_service_type", service_type_id=service_type_id), 303)


# Billing and price list items (seed 002): a second tab of the service type's page.


def _billing_page(
    service_type: ServiceType,
    *,
    form: BillingForm | None = None,
    add_form: TypeItemForm | None = None,
    row_error: tuple[int, str, str] | None = None,
    promo_form: PromoItemForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The Billing tab; `row_error` is (item id, typed quantity, message) for one item row;
    `promo_form` a refused promo item choice with its message."""
    entries = pricelist.type_items(db.session, service_type.id)
    add_form = add_form or TypeItemForm(prefix="add", data={"quantity": 1}, formdata=None)
    add_form.item.choices = [
        SelectChoice(item.id, f"{item.code} · {item.name} · {money(item.price)}")
        for item in pricelist.active_items(db.session)
    ]
    return render_template(
        "admin/service_type_billing.html",
        service_type=service_type,
        form=form or BillingForm(data=BillingForm.initial(service_type), formdata=None),
        add_form=add_form,
        entries=entries,
        summary=catalog.billing_summary(service_type, entries),
        options=PAYMENT_OPTIONS,
        row_error=row_error,
        promo=promo_editor(service_type, promo_form),
    ), status


_TYPE = "/service-types/<int(max=2147483647):service_type_id>"
_ITEM = f"{_TYPE}/items/<int(max=2147483647):item_id>"


def _to_billing(service_type_id: int) -> Response:
    return redirect(url_for("admin.service_type_billing", service_type_id=service_type_id), 303)


@bp.route(f"{_TYPE}/billing", methods=["GET", "POST"])
@staff_required
def service_type_billing(service_type_id: int) -> Response | tuple[str, int]:
    """Auto-create invoice, online payment, payment option, and the items on the invoice."""
    service_type = catalog.find_service_type(db.session, service_type_id)
    if request.method == "GET":
        return _billing_page(service_type)
    form = BillingForm()
    if form.validate_on_submit():
        try:
            catalog.update_billing(db.session, service_type_id, form.settings())
        except InvalidBilling as error:
            return _billing_page(
                service_type, form=form, status=show_error(form, error, form[error.field])
            )
        flash(f"Billing for “{service_type.name}” saved.", "success")
        return _to_billing(service_type_id)
    return _billing_page(service_type, form=form, status=400)


@bp.post(f"{_TYPE}/items")
@staff_required
def add_service_type_item(service_type_id: int) -> Response | tuple[str, int]:
    """Add a price list item (or more of one already there) to the type's invoices."""
    service_type = catalog.find_service_type(db.session, service_type_id)
    form = TypeItemForm(prefix="add")
    if not form.validate_on_submit():
        return _billing_page(service_type, add_form=form, status=400)
    try:
        entry = pricelist.add_type_item(
            db.session, service_type_id, form.item.data, form.quantity.data or 0
        )
    except InvalidQuantity as error:
        return _billing_page(
            service_type, add_form=form, status=show_error(form, error, form.quantity)
        )
    except BookingError as error:  # an inactive or unknown item
        return _billing_page(service_type, add_form=form, status=show_error(form, error, form.item))
    flash(f"{entry.item.code} is on the invoice × {entry.quantity}.", "success")
    return _to_billing(service_type_id)


@bp.post(f"{_ITEM}/quantity")
@staff_required
def set_service_type_item_quantity(
    service_type_id: int, item_id: int
) -> Response | tuple[str, int]:
    """Change how many of an item the type's invoices get."""
    service_type = pricelist.find_type_item(db.session, service_type_id, item_id).service_type
    form = QuantityForm()
    typed = request.form.get("quantity", "")
    if not form.validate_on_submit():
        message = " ".join(form.quantity.errors) or "Enter a quantity, for example 1."
        return _billing_page(service_type, row_error=(item_id, typed, message), status=400)
    try:
        entry = pricelist.set_type_item_quantity(
            db.session, service_type_id, item_id, form.quantity.data or 0
        )
    except InvalidQuantity as error:
        return _billing_page(
            service_type, row_error=(item_id, typed, str(error)), status=error.status_code
        )
    flash(f"{entry.item.code} quantity is now {entry.quantity}.", "success")
    return _to_billing(service_type_id)


@bp.post(f"{_ITEM}/remove")
@staff_required
def remove_service_type_item(service_type_id: int, item_id: int) -> Response:
    """Take an item off the type's invoices (invoices made earlier keep it)."""
    item = pricelist.remove_type_item(db.session, service_type_id, item_id)
    flash(f"{item.code} removed: new invoices for this type no longer get it.", "success")
    return _to_billing(service_type_id)


@bp.post(f"{_ITEM}/move")
@staff_required
def move_service_type_item(service_type_id: int, item_id: int) -> Response:
    """Move an item up or down the invoice (?direction=up|down in the form)."""
    offsets = {"up": -1, "down": 1}
    direction = request.form.get("direction", "")
    if direction not in offsets:
        abort(400, "Choose to move the item up or down.")
    pricelist.move_type_item(db.session, service_type_id, item_id, offsets[direction])
    return _to_billing(service_type_id)
