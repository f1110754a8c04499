"""The price list: search, add, edit, deactivate and reactivate items."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from admin import bp
from admin.forms import PriceItemForm
from admin.views_common import show_error, staff_required
from core.models import PriceListItem
from core.services import pricelist
from core.services.errors import BookingError
from core.services.pricelist import InvalidAmount, InvalidItemCode, ItemCodeTaken
from web.extensions import db

PER_PAGE = 50
QUERY_MAX_LENGTH = 100


def _page(value: str | None) -> int:
    """The page number in ?page=, 1 when absent; 400 for anything but a positive number."""
    if not value:
        return 1
    if not value.isdigit() or len(value) > 6 or int(value) < 1:
        abort(400, f"“{value}” is not a page number. Use 1, 2, 3 and so on.")
    return int(value)


@bp.get("/price-list")
@staff_required
def price_list() -> str:
    """Price list items whose code or name contains ?q=, by code, a page at a time."""
    query = request.args.get("q", "").strip()[:QUERY_MAX_LENGTH]
    result = pricelist.search_items(
        db.session, query, page=_page(request.args.get("page")), per_page=PER_PAGE
    )
    return render_template("admin/price_list.html", result=result, query=query)


def _save(form: PriceItemForm, item: PriceListItem | None) -> Response | int:
    """Create or update from the form: a redirect, or the status to re-render the form with."""
    try:
        if item is None:
            saved = pricelist.create_item(db.session, form.details())
        else:
            saved = pricelist.update_item(db.session, item.id, form.details())
    except (InvalidItemCode, ItemCodeTaken) as error:
        return show_error(form, error, form.code)
    except InvalidAmount as error:
        return show_error(form, error, form.price)
    except BookingError as error:
        return show_error(form, error, form.name)
    flash(f"{saved.code} “{saved.name}” {'added' if item is None else 'saved'}.", "success")
    return redirect(url_for("admin.price_list", q=saved.code), 303)


@bp.route("/price-list/new", methods=["GET", "POST"])
@staff_required
def new_price_item() -> Response | tuple[str, int]:
    """Add an item to the price list."""
    form = PriceItemForm()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        done = _save(form, None)
        if isinstance(done, Response):
            return done
        status = done
    return render_template("admin/price_item_form.html", form=form, item=None), status


@bp.route("/price-list/<int(max=2147483647):item_id>", methods=["GET", "POST"])
@staff_required
def edit_price_item(item_id: int) -> Response | tuple[str, int]:
    """Change an item's code, name, category or price (invoices made earlier keep theirs)."""
    item = pricelist.find_item(db.session, item_id)
    form = PriceItemForm(data=PriceItemForm.initial(item))
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        done = _save(form, item)
        if isinstance(done, Response):
            return done
        status = done
    return render_template(
        "admin/price_item_form.html",
        form=form,
        item=item,
        used_by=pricelist.types_using(db.session, item_id),
    ), status


def _back_to_list() -> Response:
    """303 to the list as it was: the search and page the button was pressed on."""
    query = request.form.get("q", "")[:QUERY_MAX_LENGTH] or None
    page = request.form.get("page", "")
    return redirect(
        url_for("admin.price_list", q=query, page=page if page.isdigit() else None), 303
    )


@bp.post("/price-list/<int(max=2147483647):item_id>/deactivate")
@staff_required
def deactivate_price_item(item_id: int) -> Response:
    """Stop offering an item; types and invoices that have it keep it."""
    item = pricelist.set_item_active(db.session, item_id, False)
    flash(f"{item.code} deactivated: it can no longer be added to session types.", "success")
    return _back_to_list()


@bp.post("/price-list/<int(max=2147483647):item_id>/reactivate")
@staff_required
def reactivate_price_item(item_id: int) -> Response:
    """Offer an inactive item again."""
    item = pricelist.set_item_active(db.session, item_id, True)
    flash(f"{item.code} is active again.", "success")
    return _back_to_list()
