"""Settings, Invoices tab (seed 001): the defaults new invoices get, and the studio's editable
lists of invoice statuses, invoice classifications and payment methods."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from admin import bp
from admin.forms import ChoiceNameForm, InvoicePreferencesForm
from admin.list_editing import ID_RULE, RowError, move_entry, rename_entry, set_entry_active
from admin.views_common import show_error, staff_required
from core.models import InvoicePreferences, ListChoice, ListKind, Staff
from core.services import settings
from core.services.errors import BookingError, NotFound
from core.services.settings import InvalidPreference
from web.extensions import db

# URL name -> (list, heading, what it is for, label of the "add" field)
LISTS = {
    "statuses": (
        ListKind.INVOICE_STATUS,
        "Invoice statuses",
        "Where an invoice stands, for example Open or Paid.",
        "New invoice status",
    ),
    "classifications": (
        ListKind.INVOICE_CLASSIFICATION,
        "Invoice classifications",
        "How invoices are grouped in reports, for example Session fee.",
        "New invoice classification",
    ),
    "payment-methods": (
        ListKind.PAYMENT_METHOD,
        "Payment methods",
        "How clients pay, for example Credit card or Cash.",
        "New payment method",
    ),
}
_SLUGS = {kind: slug for slug, (kind, *_) in LISTS.items()}


def _options(entries: list[ListChoice], current: ListChoice | None) -> list[SelectChoice]:
    """No default, then the active entries, and the saved one even if it has since retired."""
    shown = [e for e in entries if e.active or (current is not None and e.id == current.id)]
    return [SelectChoice("", "No default")] + [
        SelectChoice(str(e.id), e.name if e.active else f"{e.name} (retired)") for e in shown
    ]


def _staff_options(staff: list[Staff], current: Staff | None) -> list[SelectChoice]:
    if current is not None and current not in staff:
        staff = [*staff, current]
    return [SelectChoice("", "No default")] + [
        SelectChoice(str(s.id), s.name if s.active else f"{s.name} (no longer active)")
        for s in staff
    ]


def _preferences_form(
    prefs: InvoicePreferences, lists: dict[ListKind, list[ListChoice]], *, bind: bool
) -> InvoicePreferencesForm:
    """The Invoices form with its choices; `bind` reads the submitted values."""
    data = {
        "description": prefs.default_description,
        "status_id": prefs.default_status_id,
        "classification_id": prefs.default_classification_id,
        "sales_rep_id": prefs.default_sales_rep_id,
        "payment_method_id": prefs.default_payment_method_id,
    }
    form = InvoicePreferencesForm(data=data, **({} if bind else {"formdata": None}))
    form.status_id.choices = _options(lists[ListKind.INVOICE_STATUS], prefs.default_status)
    form.classification_id.choices = _options(
        lists[ListKind.INVOICE_CLASSIFICATION], prefs.default_classification
    )
    form.payment_method_id.choices = _options(
        lists[ListKind.PAYMENT_METHOD], prefs.default_payment_method
    )
    form.sales_rep_id.choices = _staff_options(
        settings.active_staff(db.session), prefs.default_sales_rep
    )
    return form


def _settings_page(
    *,
    form: InvoicePreferencesForm | None = None,
    add_form: tuple[str, ChoiceNameForm] | None = None,
    row_error: RowError | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The page; `add_form` is (list slug, its form with errors), `row_error` (entry id, typed
    name, message)."""
    prefs = settings.invoice_preferences(db.session)
    lists = settings.all_lists(db.session)
    add_forms = {slug: ChoiceNameForm(prefix=slug, formdata=None) for slug in LISTS}
    if add_form is not None:
        add_forms[add_form[0]] = add_form[1]
    for slug, each in add_forms.items():
        each.name.label.text = LISTS[slug][3]
    return render_template(
        "admin/settings_invoices.html",
        form=form or _preferences_form(prefs, lists, bind=False),
        prefs=prefs,
        lists=[
            (slug, heading, about, lists[kind], add_forms[slug])
            for slug, (kind, heading, about, _) in LISTS.items()
        ],
        row_error=row_error,
    ), status


def _entry(choice_id: int) -> ListChoice:
    """An entry of the invoice lists (the others have their own pages). Raises NotFound."""
    choice = settings.find_choice(db.session, choice_id)
    if choice.kind not in _SLUGS:
        raise NotFound("We could not find that entry in the invoice lists.")
    return choice


def _to_list(kind: ListKind) -> Response:
    return redirect(url_for("admin.invoice_settings", _anchor=_SLUGS[kind]), 303)


@bp.get("/settings")
@staff_required
def settings_home() -> Response:
    """Settings open on the Invoices tab (the only one so far)."""
    return redirect(url_for("admin.invoice_settings"))


@bp.route("/settings/invoices", methods=["GET", "POST"])
@staff_required
def invoice_settings() -> Response | tuple[str, int]:
    """The Invoices preferences and the lists they choose from."""
    if request.method == "GET":
        return _settings_page()
    prefs = settings.invoice_preferences(db.session)
    form = _preferences_form(prefs, settings.all_lists(db.session), bind=True)
    if not form.validate_on_submit():
        return _settings_page(form=form, status=400)
    try:
        settings.update_invoice_preferences(db.session, form.defaults())
    except InvalidPreference as error:
        return _settings_page(form=form, status=show_error(form, error, form[error.field]))
    flash("Invoice defaults saved. New invoices get them from now on.", "success")
    return redirect(url_for("admin.invoice_settings"), 303)


@bp.post("/settings/invoices/<any(statuses, classifications, 'payment-methods'):list_name>")
@staff_required
def add_list_choice(list_name: str) -> Response | tuple[str, int]:
    """Add an entry at the end of one of the lists."""
    kind = LISTS[list_name][0]
    form = ChoiceNameForm(prefix=list_name)
    if not form.validate_on_submit():
        return _settings_page(add_form=(list_name, form), status=400)
    try:
        choice = settings.add_choice(db.session, kind, form.name.data or "")
    except BookingError as error:
        status = show_error(form, error, form.name)
        return _settings_page(add_form=(list_name, form), status=status)
    flash(f"“{choice.name}” added to {LISTS[list_name][1].lower()}.", "success")
    return _to_list(kind)


@bp.post(f"/settings/invoices/entries/{ID_RULE}/rename")
@staff_required
def rename_list_choice(choice_id: int) -> Response | tuple[str, int]:
    """Rename an entry; invoices that have it show the new name."""
    _entry(choice_id)
    choice = rename_entry(
        choice_id, lambda row_error, status: _settings_page(row_error=row_error, status=status)
    )
    return choice if isinstance(choice, tuple) else _to_list(choice.kind)


@bp.post(f"/settings/invoices/entries/{ID_RULE}/<any(retire, restore):action>")
@staff_required
def set_list_choice_active(choice_id: int, action: str) -> Response:
    """Stop offering an entry (invoices and payments keep it), or offer it again."""
    _entry(choice_id)
    choice = set_entry_active(choice_id, action == "restore", "invoices and payments")
    return _to_list(choice.kind)


@bp.post(f"/settings/invoices/entries/{ID_RULE}/move")
@staff_required
def move_list_choice(choice_id: int) -> Response:
    """Move an entry up or down its list."""
    _entry(choice_id)
    return _to_list(move_entry(choice_id).kind)
