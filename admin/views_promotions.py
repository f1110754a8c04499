"""Promotions (seeds 003, 004): the list with states and uses, create and edit, codes, the
engine's preview for a made-up booking, and each promotion's report by month."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import Field, SelectChoice

from admin import bp
from admin.forms import _in_currency_units
from admin.forms_promotions import (
    CodesForm,
    DeleteForm,
    GenerateForm,
    MassDeleteForm,
    OrderForm,
    PreviewForm,
    PromotionForm,
)
from admin.views_common import staff_required
from core.models import Client, PriceListItem, Resource
from core.services import catalog, preferences, promotion_codes
from core.services import promotion_admin as admin_service
from core.services import promotion_overview as overview
from core.services.errors import InvalidDetails
from core.services.pricelist import InvalidAmount, to_amount
from core.services.promotion_admin import COPIED_FIELDS
from web.clock import now
from web.extensions import db

_ID = "<int(max=2147483647):promotion_id>"


@bp.get("/promotions")
@staff_required
def promotions_list() -> str:
    """Every promotion with its state and uses; filter by state, auto or coded, and text."""
    show = request.args.get("show", "all")
    kind = request.args.get("kind", "")
    query = request.args.get("q", "").strip()[:100]
    rows = overview.list_promotions(
        db.session,
        now=now(),
        show=overview.Filter(show) if show in {"active", "inactive"} else overview.Filter.ALL,
        auto={"auto": True, "coded": False}.get(kind),
        query=query,
    )
    order = OrderForm(
        formdata=None,
        highest_first=preferences.online_preferences(db.session).promotions_highest_first,
    )
    return render_template(
        "admin/promotions.html", rows=rows, show=show, kind=kind, query=query, order=order
    )


@bp.post("/promotions/order")
@staff_required
def promotion_order() -> Response:
    """Which qualifying items promotions take first: the cheapest (default) or the dearest."""
    form = OrderForm()
    if not form.validate_on_submit():
        abort(400, "The form expired. Please reload the page and try again.")
    prefs = preferences.set_promotion_order(db.session, bool(form.highest_first.data))
    which = "most expensive" if prefs.promotions_highest_first else "least expensive"
    flash(f"Promotions now apply to the {which} qualifying items first.", "success")
    return redirect(url_for("admin.promotions_list"), 303)


def _with_choices(form: PromotionForm) -> PromotionForm:
    types = [
        SelectChoice(t.id, f"{t.public_name} ({t.kind.value})")
        for t in catalog.all_service_types(db.session)
    ]
    locations = catalog.all_locations(db.session)
    resources = db.session.scalars(select(Resource).order_by(Resource.name))
    items = [
        SelectChoice(i.id, f"{i.code}: {i.name}")
        for i in db.session.scalars(select(PriceListItem).order_by(PriceListItem.code))
    ]
    form.service_type_ids.choices = types
    form.location_ids.choices = [SelectChoice(loc.id, loc.display_name) for loc in locations]
    form.resource_ids.choices = [SelectChoice(r.id, r.name) for r in resources]
    form.benefit_items.choices = items
    for entry in form.requirements:
        entry.form.items.choices = items
    return form


def _minor(field: Field, value: Decimal | None) -> int:
    """Currency units typed into `field` as minor units; a bad amount becomes its error."""
    if value is None:
        return 0
    try:
        return to_amount(db.session, value)
    except InvalidAmount as error:
        field.errors = [*field.errors, str(error)]
        raise


def _details(form: PromotionForm) -> admin_service.PromotionDetails:
    """Plain values from the form; raises InvalidAmount after marking the amount's field."""
    requirements = []
    for entry in form.requirements:
        sub = entry.form
        if not sub.kind.data:
            continue
        minimum = sub.minimum.data
        if sub.kind.data == "value":
            count = _minor(sub.minimum, minimum)
        else:
            if minimum is not None and minimum != minimum.to_integral_value():
                sub.minimum.errors = ["Enter a whole number of items."]
                raise InvalidAmount("Enter a whole number of items.")
            count = int(minimum or 0)
        requirements.append(
            admin_service.RequirementDetails(
                sub.kind.data,
                count,
                admin_service.QualifiedDetails(
                    tuple(sub.categories.data or ()), tuple(sub.items.data or ())
                ),
            )
        )
    d = form.data
    plain = {name: "" if d[name] is None and name in _TEXT else d[name] for name in _PLAIN}
    return admin_service.PromotionDetails(
        **plain,
        weekdays=tuple(d["weekdays"] or ()),
        service_type_ids=tuple(d["service_type_ids"] or ()),
        resource_ids=tuple(d["resource_ids"] or ()),
        location_ids=tuple(d["location_ids"] or ()),
        requirements=tuple(requirements),
        percent=d["percent"] if d["percent"] is not None else Decimal(0),
        amount=_minor(form.amount, d["amount"]),
        benefit=admin_service.QualifiedDetails(
            tuple(d["benefit_categories"] or ()), tuple(d["benefit_items"] or ())
        ),
    )


_PLAIN = (
    "name",
    "description",
    "code",
    "external_id",
    "channel",
    "discount_kind",
    "apply_to",
    *COPIED_FIELDS,
)


_TEXT = {"name", "description", "code", "external_id"}


def _show_errors(form: PromotionForm, errors: dict[str, str]) -> None:
    """Each core message next to its field ("requirements-0-kind" is a sub-form's)."""
    for key, message in errors.items():
        target: Any = form
        for part in key.split("-"):
            if target is None:
                break
            if part.isdigit():
                target = target.entries[int(part)].form if int(part) < len(target.entries) else None
            else:
                target = target._fields.get(part) if hasattr(target, "_fields") else None
        if isinstance(target, Field):
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)


def _form_page(
    form: PromotionForm,
    promotion_id: int | None,
    status: int = 200,
    *,
    delete: DeleteForm | None = None,
) -> tuple[str, int]:
    promotion = admin_service.find_promotion(db.session, promotion_id) if promotion_id else None
    code_count = admin_service.single_code(db.session, promotion_id)[1] if promotion_id else 0
    return render_template(
        "admin/promotion_form.html",
        form=form,
        promotion=promotion,
        code_count=code_count,
        delete=delete or DeleteForm(formdata=None),
    ), status


def _save(form: PromotionForm, promotion_id: int | None) -> Response | tuple[str, int]:
    if form.validate_on_submit():
        try:
            saved = admin_service.save_promotion(
                db.session, promotion_id, _details(form), now=now()
            )
        except InvalidAmount:
            db.session.rollback()
        except InvalidDetails as error:
            db.session.rollback()
            _show_errors(form, error.errors)
        else:
            flash(f"“{saved.name}” saved.", "success")
            return redirect(url_for("admin.edit_promotion", promotion_id=saved.id), 303)
    if not form.form_errors and not form.errors:
        form.form_errors.append("Please check the highlighted fields.")
    return _form_page(form, promotion_id, 400)


@bp.route("/promotions/new", methods=["GET", "POST"])
@staff_required
def new_promotion() -> Response | tuple[str, int]:
    """Create a promotion: a code and a barcode id are generated when left blank."""
    if request.method == "GET":
        form = PromotionForm(data=PromotionForm.defaults(), formdata=None)
        return _form_page(_with_choices(form), None)
    return _save(_with_choices(PromotionForm()), None)


@bp.route(f"/promotions/{_ID}", methods=["GET", "POST"])
@staff_required
def edit_promotion(promotion_id: int) -> Response | tuple[str, int]:
    """A promotion's settings, grouped as General, Validity, Restrictions, Criteria and benefit."""
    promotion = admin_service.find_promotion(db.session, promotion_id)
    if request.method == "GET":
        code = admin_service.single_code(db.session, promotion_id)[0]
        data = PromotionForm.initial(promotion, code, _in_currency_units)
        return _form_page(_with_choices(PromotionForm(data=data, formdata=None)), promotion_id)
    return _save(_with_choices(PromotionForm()), promotion_id)


@bp.post(f"/promotions/{_ID}/delete")
@staff_required
def delete_promotion(promotion_id: int) -> Response | tuple[str, int]:
    """Delete a promotion no booking used, with its codes; a used one can only be switched off."""
    promotion = admin_service.find_promotion(db.session, promotion_id)
    name = promotion.name
    delete = DeleteForm()
    status = 400
    if delete.validate_on_submit():
        try:
            admin_service.delete_promotion(db.session, promotion_id)
        except InvalidDetails as error:
            db.session.rollback()
            delete.confirm.errors = [*error.errors.values()]
            status = 409
        else:
            flash(f"“{name}” deleted.", "success")
            return redirect(url_for("admin.promotions_list"), 303)
    code = admin_service.single_code(db.session, promotion_id)[0]
    data = PromotionForm.initial(promotion, code, _in_currency_units)
    form = _with_choices(PromotionForm(data=data, formdata=None))
    return _form_page(form, promotion_id, status, delete=delete)


# Codes ------------------------------------------------------------------------------------------


def _codes_page(
    promotion_id: int,
    *,
    add: CodesForm | None = None,
    generate: GenerateForm | None = None,
    remove: MassDeleteForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    promotion = admin_service.find_promotion(db.session, promotion_id)
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "admin/promotion_codes.html",
        promotion=promotion,
        result=overview.codes_page(db.session, promotion_id, page),
        add=add or CodesForm(formdata=None),
        generate=generate or GenerateForm(formdata=None),
        remove=remove or MassDeleteForm(formdata=None),
        timezone=overview.studio_timezone(db.session),
    ), status


@bp.get(f"/promotions/{_ID}/codes")
@staff_required
def promotion_codes_page(promotion_id: int) -> tuple[str, int]:
    """The promotion's codes, a page at a time, each with its uses; and the batch tools."""
    return _codes_page(promotion_id)


def _refuse_auto(promotion_id: int) -> bool:
    return admin_service.find_promotion(db.session, promotion_id).auto_apply


@bp.post(f"/promotions/{_ID}/codes/add")
@staff_required
def add_promotion_codes(promotion_id: int) -> Response | tuple[str, int]:
    """Add pasted codes, one per line; all or nothing, with the bad lines named."""
    form = CodesForm()
    if _refuse_auto(promotion_id):
        form.codes.errors = ["An auto-applied promotion has no codes."]
    elif form.validate_on_submit():
        promotion = admin_service.find_promotion(db.session, promotion_id)
        try:
            added = promotion_codes.add_codes(
                db.session, promotion, (form.codes.data or "").splitlines(), now=now()
            )
        except InvalidDetails as error:
            form.codes.errors = [error.errors["codes"]]
        else:
            flash(f"{len(added)} code{'s' if len(added) != 1 else ''} added.", "success")
            return redirect(url_for("admin.promotion_codes_page", promotion_id=promotion_id), 303)
    return _codes_page(promotion_id, add=form, status=400)


@bp.post(f"/promotions/{_ID}/codes/generate")
@staff_required
def generate_promotion_codes(promotion_id: int) -> Response | tuple[str, int]:
    """Generate N random codes; each one's own limit makes them single use when set to once."""
    form = GenerateForm()
    if _refuse_auto(promotion_id):
        form.count.errors = ["An auto-applied promotion has no codes."]
    elif form.validate_on_submit():
        promotion = admin_service.find_promotion(db.session, promotion_id)
        made = promotion_codes.generate_codes(
            db.session, promotion, form.count.data or 0, now=now()
        )
        uses = promotion.max_uses or 1
        each = "single-use codes" if uses == 1 else f"codes, each usable {uses} times,"
        flash(f"{len(made)} {each} generated.", "success")
        return redirect(url_for("admin.promotion_codes_page", promotion_id=promotion_id), 303)
    return _codes_page(promotion_id, generate=form, status=400)


@bp.post(f"/promotions/{_ID}/codes/delete")
@staff_required
def delete_promotion_codes(promotion_id: int) -> Response | tuple[str, int]:
    """Mass delete: every code, or only the used ones; bookings keep their discount."""
    form = MassDeleteForm()
    admin_service.find_promotion(db.session, promotion_id)
    if form.validate_on_submit():
        count = promotion_codes.mass_delete(
            db.session, promotion_id, only_used=form.which.data == "used"
        )
        flash(f"{count} code{'s' if count != 1 else ''} deleted.", "success")
        return redirect(url_for("admin.promotion_codes_page", promotion_id=promotion_id), 303)
    return _codes_page(promotion_id, remove=form, status=400)


# Preview and report -------------------------------------------------------------------------------


@bp.get("/promotions/preview")
@staff_required
def promotions_preview() -> tuple[str, int]:
    """What the engine would do for a type, a date and time, a client and an optional code."""
    form = PreviewForm(request.args if request.args else None)
    form.service_type.choices = [
        SelectChoice(t.id, f"{t.public_name} ({t.kind.value})")
        for t in catalog.all_service_types(db.session)
    ]
    locations = catalog.all_locations(db.session)
    form.location.choices = [SelectChoice(loc.id, loc.display_name) for loc in locations]
    clients = db.session.scalars(select(Client).order_by(Client.name).limit(500))
    form.client.choices = [SelectChoice(0, "Nobody logged in yet")] + [
        SelectChoice(c.id, f"{c.name} ({c.email})") for c in clients
    ]
    result, status = None, 200
    if request.args:
        status = 400
        if form.validate():
            result = overview.preview(
                db.session,
                service_type_id=form.service_type.data,
                location_id=form.location.data,
                start=datetime.combine(form.day.data, form.start_time.data),
                client_id=form.client.data or None,
                code=form.code.data or "",
                online=bool(form.online.data),
                now=now(),
            )
            status = 200
    return render_template("admin/promotion_preview.html", form=form, result=result), status


@bp.get(f"/promotions/{_ID}/report")
@staff_required
def promotion_report(promotion_id: int) -> str:
    """The promotion's uses, discount given and revenue of its bookings, month by month."""
    promotion = admin_service.find_promotion(db.session, promotion_id)
    months = overview.monthly_report(db.session, promotion_id)
    return render_template("admin/promotion_report.html", promotion=promotion, months=months)
