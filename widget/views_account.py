"""Client accounts in the widget: log in, create an account, my details, the confirmation.

My bookings (reschedule, cancel, history) are in views_my_bookings.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from core.models import Client
from core.services.accounts import (
    RegistrationClosed,
    authenticate_client,
    change_password,
    lead_sources_online,
    register_client,
    update_profile,
)
from core.services.booking import find_booking
from core.services.checkout import receipt
from core.services.errors import EmailTaken, InvalidCredentials, InvalidDetails
from core.services.questions import answers_for
from web.auth import current_client, log_in, log_out, login_required_as, safe_next
from web.clock import now
from web.extensions import db
from web.rate_limits import login_limited, register_limited
from widget import bp
from widget.embedding import visit_attribution
from widget.forms import (
    LoginForm,
    PasswordForm,
    chosen_id,
    client_details,
    phone_answer,
    profile_form_class,
    register_form_class,
    show_field_errors,
)
from widget.holds import KEEP_ON_LOGIN, current_hold
from widget.organizations import current_organization, registration_check
from widget.views_theme import preferences

Page = str | tuple[str, int] | Response
client_required = login_required_as("client", "widget.login")


def _next_url(form_next: str | None) -> str:
    return safe_next(form_next or request.args.get("next"), url_for(".my_bookings"))


@bp.route("/login", methods=["GET", "POST"])
@login_limited
def login() -> Page:
    """Log in with email and password; back to where the client was (their held time kept)."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            client = authenticate_client(
                db.session, email=form.email.data, password=form.password.data
            )
        except InvalidCredentials as error:
            form.form_errors.append(str(error))
            return render_template("widget/login.html", form=form, hold=current_hold()), 401
        log_in(client, keep=KEEP_ON_LOGIN)
        return redirect(_next_url(form.next.data), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("widget/login.html", form=form, hold=current_hold()), status


def new_register_form(**kwargs: str) -> FlaskForm:
    """The account form with the studio's client fields; RegistrationClosed when disabled."""
    prefs = preferences()
    if prefs.disable_new_accounts:
        raise RegistrationClosed()
    registration_check()  # an organization's link may forbid new accounts too
    lead_sources = lead_sources_online(db.session) if prefs.ask_lead_source else []
    return register_form_class(prefs, lead_sources)(**kwargs)


@bp.route("/register", methods=["GET", "POST"])
@register_limited
def register() -> Page:
    """Create a client account (the studio's fields and questions) and log in."""
    form = new_register_form(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            client = register_client(
                db.session,
                name=form.name.data,
                email=form.email.data,
                phone=phone_answer(form),
                password=form.password.data,
                now=now(),
                details=client_details(form),
                lead_source_id=chosen_id(form, "lead_source"),
                organization=current_organization(),
                attribution=visit_attribution(),
            )
        except (EmailTaken, InvalidDetails) as error:
            db.session.rollback()
            if isinstance(error, InvalidDetails):
                show_field_errors(form, error.errors)
            else:
                form.email.errors = [str(error)]
            return render_template(
                "widget/register.html", form=form, hold=current_hold()
            ), error.status_code
        log_in(client, keep=KEEP_ON_LOGIN)
        return redirect(_next_url(form.next.data), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("widget/register.html", form=form, hold=current_hold()), status


@bp.post("/logout")
def logout() -> Response:
    """Log out and forget the widget session."""
    log_out()
    return redirect(url_for(".choose_type"), 303)


@bp.get("/book/confirmed/<public_id>")
@client_required
def confirmed(public_id: str) -> str:
    """Step 6: the confirmation, with date, time, timezone and where to go."""
    booking = find_booking(db.session, public_id, client_id=current_client().id)  # type: ignore[union-attr]
    return render_template(
        "widget/confirmed.html",
        booking=booking,
        receipt=receipt(db.session, booking),
        answers=answers_for(db.session, [booking.id])[booking.id],
    )


def _profile_page(
    details: FlaskForm | None = None, password: FlaskForm | None = None, status: int = 200
) -> tuple[str, int]:
    client = current_client()
    return render_template(
        "widget/profile.html",
        form=details or _profile_form(obj=client),
        password_form=password or PasswordForm(),
    ), status


def _profile_form(**kwargs: object) -> FlaskForm:
    form = profile_form_class(preferences())(**kwargs)
    client = kwargs.get("obj")
    if client is not None and not form.is_submitted():  # consents are stored the other way round
        _fill_consents(form, client)
    return form


def _fill_consents(form: FlaskForm, client: Client) -> None:
    answers = {
        "texting_consent": client.texting_consent,
        "marketing_consent": not client.do_not_market,
    }
    for name, answer in answers.items():
        if name in form:
            is_yes_no = form[name].type == "RadioField"
            form[name].data = ("yes" if answer else "no") if is_yes_no else answer


@bp.get("/account/profile")
@client_required
def profile() -> Page:
    """The client's own details and password."""
    return _profile_page()


@bp.post("/account/profile")
@client_required
def profile_save() -> Page:
    """Save the client's name, contact details and consents."""
    form = _profile_form()
    if not form.validate():
        return _profile_page(details=form, status=400)
    try:
        update_profile(
            db.session,
            client_id=current_client().id,  # type: ignore[union-attr]
            name=form.name.data,
            phone=phone_answer(form),
            details=client_details(form),
        )
    except InvalidDetails as error:
        db.session.rollback()
        show_field_errors(form, error.errors)
        return _profile_page(details=form, status=error.status_code)
    flash("Your details are saved.", "success")
    return redirect(url_for(".profile"), 303)


@bp.post("/account/password")
@client_required
def password_change() -> Page:
    """Change the password; the current one is asked first."""
    form = PasswordForm()
    if not form.validate():
        return _profile_page(password=form, status=400)
    try:
        change_password(
            db.session,
            client_id=current_client().id,  # type: ignore[union-attr]
            current=form.current_password.data,
            new=form.new_password.data,
        )
    except InvalidDetails as error:
        db.session.rollback()
        show_field_errors(form, error.errors)
        return _profile_page(password=form, status=error.status_code)
    flash("Your password is changed.", "success")
    return redirect(url_for(".profile"), 303)
