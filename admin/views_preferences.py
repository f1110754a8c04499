"""Online booking preferences (seed 001): one page, a tab per URL, each tab one POST form.

Only staff with the "Preferences – Online Booking" permission see them; others get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from admin import bp
from admin.forms_preferences import (
    ActivationForm,
    ClientsForm,
    ColoursForm,
    FrameAncestorsForm,
    GeneralForm,
    KindForm,
    LogoForm,
    general_form,
)
from admin.views_common import show_error, staff_required
from core.models import ListChoice, ListKind, ServiceKind, ServiceType, Staff
from core.rules.contrast import weak_pairs
from core.services import catalog, embedding, logins, settings
from core.services import preferences as prefs_service
from core.services.embedding import InvalidOrigins
from core.services.errors import BookingError
from core.services.settings import InvalidPreference
from web.auth import current_staff
from web.clock import now
from web.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
Page = Response | tuple[str, int]

TABS = [
    ("activation", "Activation"),
    ("general", "General"),
    ("logo", "Logo"),
    ("clients", "Clients"),
    ("sessions", "Sessions"),
    ("appointments", "Appointments"),
    ("timeslots", "Time Slots"),
    ("customization", "Customization"),
    ("permissions", "Permissions"),
]
KINDS = {"sessions": ServiceKind.SESSION, "appointments": ServiceKind.APPOINTMENT}


def preferences_required(view: F) -> F:
    """Staff only, and only with full access to the preferences (403 otherwise)."""

    @staff_required
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        staff = current_staff()
        if staff is None or not staff.can_edit_preferences:
            abort(403, "You do not have access to the online booking preferences.")
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _page(tab: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        f"admin/preferences_{tab}.html",
        tab=tab,
        tabs=TABS,
        prefs=prefs_service.online_preferences(db.session),
        **context,
    ), status


def _saved(tab: str, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for(f"admin.preferences_{tab}"), 303)


def _failed(tab: str, form: FlaskForm, error: BookingError, **context: Any) -> tuple[str, int]:
    field = form._fields.get(getattr(error, "field", ""))
    status = show_error(form, error, field)
    return _page(tab, status, form=form, **context)


def _choices(entries: list[ListChoice], current: int | None, none: str) -> list[SelectChoice]:
    shown = [e for e in entries if e.active or e.id == current]
    return [SelectChoice("", none)] + [
        SelectChoice(str(e.id), e.name if e.active else f"{e.name} (retired)") for e in shown
    ]


def _offered_online(kind: ListKind) -> list[ListChoice]:
    return [e for e in settings.list_choices(db.session, kind) if e.active and e.show_online]


@bp.get("/preferences")
@preferences_required
def preferences() -> Response:
    """The preferences open on the Activation tab."""
    return redirect(url_for("admin.preferences_activation"))


@bp.route("/preferences/activation", methods=["GET", "POST"])
@preferences_required
def preferences_activation() -> Page:
    """Turn online booking on or off."""
    form = ActivationForm(data={"active": prefs_service.online_preferences(db.session).active})
    if request.method == "GET":
        return _page("activation", form=form)
    if not form.validate_on_submit():
        return _page("activation", 400, form=form)
    prefs_service.set_active(db.session, bool(form.active.data))
    if form.active.data:
        return _saved("activation", "Online booking is on: clients can book.")
    return _saved("activation", "Online booking is off: clients see that it is not available.")


def _embed_snippets() -> list[tuple[str, str]]:
    """(what, URL) for the whole widget and each online service type."""
    whole = ("All session and appointment types", url_for("widget.choose_type", _external=True))
    types: list[ServiceType] = catalog.all_service_types(db.session)
    return [whole] + [
        (t.online_name or t.name, url_for("widget.book_type", slug=t.slug, _external=True))
        for t in types
        if t.online and t.slug
    ]


def _general_form(bind: bool) -> GeneralForm:
    prefs = prefs_service.online_preferences(db.session)
    data = {
        "style": prefs.style,
        "redirect_url": prefs.redirect_url,
        "login_pattern": prefs.login_pattern,
        "reminder_hours": prefs.reminder_hours,
    }
    locations = catalog.all_locations(db.session)
    for location in locations:
        data[f"location_{location.id}"] = location.display_name
    form = general_form(locations, data=data, **({} if bind else {"formdata": None}))
    form.locations = locations  # type: ignore[attr-defined]
    return form


def _sites_form() -> FrameAncestorsForm:
    listed = embedding.listed_origins(prefs_service.online_preferences(db.session))
    return FrameAncestorsForm(data={"frame_ancestors": "\n".join(listed)}, formdata=None)


def _general_page(
    form: GeneralForm,
    status: int = 200,
    sites_form: FrameAncestorsForm | None = None,
    **context: Any,
) -> tuple[str, int]:
    return _page(
        "general",
        status,
        form=form,
        locations=form.locations,  # type: ignore[attr-defined]
        snippets=_embed_snippets(),
        # Unversioned (v=None): pasted once into the studio's site, it must stay the same as
        # embed.js changes; browsers revalidate it by its ETag.
        embed_script=url_for("widget.static", filename="embed.js", v=None, _external=True),
        sites_form=sites_form or _sites_form(),
        default_sites=current_app.config["WIDGET_FRAME_ANCESTORS"],
        **context,
    )


@bp.route("/preferences/general", methods=["GET", "POST"])
@preferences_required
def preferences_general() -> Page:
    """Booking style, redirect URL, default logins, HTML code, location display names."""
    if request.method == "GET":
        return _general_page(_general_form(bind=False))
    form = _general_form(bind=True)
    if not form.validate_on_submit():
        return _general_page(form, 400)
    general = prefs_service.GeneralSettings(
        style=form.style.data,
        redirect_url=form.redirect_url.data or "",
        login_pattern=form.login_pattern.data,
        display_names=form.display_names(),
        reminder_hours=form.reminder_hours.data,
    )
    try:
        prefs_service.update_general(db.session, general)
    except InvalidPreference as error:
        field = error.field if error.field in form else None
        return _general_page(form, show_error(form, error, form[field] if field else None))
    return _saved("general", "General preferences saved.")


@bp.post("/preferences/general/sites")
@preferences_required
def preferences_frame_ancestors() -> Page:
    """The sites allowed to show the widget in an iframe: all lines are checked, or none saved."""
    form = FrameAncestorsForm()
    if not form.validate_on_submit():
        return _general_page(_general_form(bind=False), 400, sites_form=form)
    try:
        prefs = embedding.set_frame_ancestors(db.session, form.frame_ancestors.data or "")
    except InvalidOrigins as error:
        form.frame_ancestors.errors = list(error.problems)
        return _general_page(_general_form(bind=False), error.status_code, sites_form=form)
    if prefs.frame_ancestors:
        return _saved("general", "Saved: only the listed sites can show the booking widget.")
    if current_app.config["WIDGET_FRAME_ANCESTORS"] == "*":
        return _saved("general", "Saved: no sites listed, so any site can show the widget.")
    return _saved("general", "Saved: no sites listed, so the server's default applies.")


@bp.post("/preferences/general/logins")
@preferences_required
def preferences_set_logins() -> Page:
    """ "Set for all existing clients now": a login for every client without one."""
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired. Please try again.")
    pattern = prefs_service.online_preferences(db.session).login_pattern
    result = logins.set_default_logins(db.session, pattern)
    return _page("logins", result=result, pattern=pattern)


@bp.route("/preferences/logo", methods=["GET", "POST"])
@preferences_required
def preferences_logo() -> Page:
    """Upload, show or remove the logo shown on top of the link-style pages."""
    form = LogoForm(data={"show_logo": prefs_service.online_preferences(db.session).show_logo})
    if request.method == "GET":
        return _page("logo", form=form)
    if not form.validate_on_submit():
        return _page("logo", 400, form=form)
    upload = form.upload.data.read() if form.upload.data else None
    try:
        prefs_service.update_logo(
            db.session,
            show_logo=bool(form.show_logo.data),
            upload=upload,
            remove=bool(form.remove.data),
            now=now(),
        )
    except BookingError as error:
        if not hasattr(error, "field"):
            error.field = "upload"  # type: ignore[attr-defined]
        return _failed("logo", form, error)
    return _saved("logo", "Logo preferences saved.")


def _clients_form(bind: bool) -> ClientsForm:
    prefs = prefs_service.online_preferences(db.session)
    names = list(prefs_service.ClientSettings.__dataclass_fields__)
    form = ClientsForm(
        data={name: getattr(prefs, name) for name in names},
        **({} if bind else {"formdata": None}),
    )
    lists = settings.all_lists(db.session, (ListKind.CLIENT_STATUS, ListKind.LEAD_SOURCE))
    form.new_client_status_id.choices = _choices(
        lists[ListKind.CLIENT_STATUS], prefs.new_client_status_id, "No status"
    )
    form.new_client_lead_source_id.choices = _choices(
        lists[ListKind.LEAD_SOURCE], prefs.new_client_lead_source_id, "No lead source"
    )
    return form


def _clients_page(form: ClientsForm, status: int = 200) -> tuple[str, int]:
    return _page("clients", status, form=form, offered=_offered_online(ListKind.LEAD_SOURCE))


@bp.route("/preferences/clients", methods=["GET", "POST"])
@preferences_required
def preferences_clients() -> Page:
    """New account creation, new-client defaults and the fields new clients fill in."""
    if request.method == "GET":
        return _clients_page(_clients_form(bind=False))
    form = _clients_form(bind=True)
    if not form.validate_on_submit():
        return _clients_page(form, 400)
    try:
        prefs_service.update_clients(db.session, form.settings())
    except InvalidPreference as error:
        return _clients_page(form, show_error(form, error, form[error.field]))
    return _saved("clients", "Client preferences saved.")


def _kind_form(kind: ServiceKind, bind: bool) -> KindForm:
    prefs = prefs_service.kind_preferences(db.session, kind)

    def hours(minutes: int | None) -> int | None:
        return None if minutes is None else minutes // 60

    form = KindForm(
        data={
            "default_description": prefs.default_description,
            "default_booker_id": prefs.default_booker_id,
            "notes_mode": prefs.notes_mode,
            "promo_code_mode": prefs.promo_code_mode,
            "notice_book_hours": hours(prefs.notice_book_minutes),
            "notice_reschedule_hours": hours(prefs.notice_reschedule_minutes),
            "notice_cancel_hours": hours(prefs.notice_cancel_minutes),
            "ask_booking_reason": prefs.ask_booking_reason,
        },
        **({} if bind else {"formdata": None}),
    )
    staff: list[Staff] = settings.active_staff(db.session)
    current = prefs.default_booker
    if current is not None and current not in staff:
        staff.append(current)
    form.default_booker_id.choices = [SelectChoice("", "No default booker")] + [
        SelectChoice(str(s.id), s.name if s.active else f"{s.name} (no longer active)")
        for s in staff
    ]
    return form


def _kind_page(
    tab: str, form: KindForm, status: int = 200, editor: dict[str, Any] | None = None
) -> tuple[str, int]:
    return _page(
        "kind",
        status,
        form=form,
        kind_tab=tab,
        offered=_offered_online(ListKind.BOOKING_REASON),
        editor=editor or views_questions.question_editor(KINDS[tab]),
    )


_NOTICE_FIELDS = {
    "notice_book_minutes": "notice_book_hours",
    "notice_reschedule_minutes": "notice_reschedule_hours",
    "notice_cancel_minutes": "notice_cancel_hours",
}


@bp.route("/preferences/<any(sessions, appointments):tab>", methods=["GET", "POST"])
@preferences_required
def preferences_kind(tab: str) -> Page:
    """Defaults, booking fields and scheduling limits for sessions or for appointments."""
    kind = KINDS[tab]
    if request.method == "GET":
        return _kind_page(tab, _kind_form(kind, bind=False))
    form = _kind_form(kind, bind=True)
    if not form.validate_on_submit():
        return _kind_page(tab, form, 400)
    try:
        prefs_service.update_kind(db.session, kind, form.settings())
    except InvalidPreference as error:
        field = form[_NOTICE_FIELDS.get(error.field, error.field)]
        return _kind_page(tab, form, show_error(form, error, field))
    flash(f"{tab.capitalize()} preferences saved.", "success")
    return redirect(url_for("admin.preferences_kind", tab=tab), 303)


@bp.route("/preferences/customization", methods=["GET", "POST"])
@preferences_required
def preferences_customization() -> Page:
    """The widget's colours, with a live preview."""
    prefs = prefs_service.online_preferences(db.session)
    data = {
        "accent": prefs.colour_accent or "",
        "background": prefs.colour_background or "",
        "text": prefs.colour_text or "",
    }
    if request.method == "GET":
        weak = weak_pairs(prefs.colour_accent, prefs.colour_background, prefs.colour_text)
        return _page("customization", form=ColoursForm(data=data, formdata=None), weak_pairs=weak)
    form = ColoursForm(data=data)
    if not form.validate_on_submit():
        return _page("customization", 400, form=form)
    try:
        prefs_service.update_colours(db.session, form.colours())
    except InvalidPreference as error:
        return _failed("customization", form, error)
    return _saved("customization", "Colours saved. The preview shows them.")


@bp.get("/preferences/permissions")
@preferences_required
def preferences_permissions() -> Page:
    """Who can change the online booking preferences; administrators change it on the Staff page."""
    return _page("permissions", staff=prefs_service.staff_for_permissions(db.session))


# The booking questions editor on the kind tabs; the Time Slots tab and location closures.
from admin import views_questions, views_slot_job  # noqa: E402, F401
