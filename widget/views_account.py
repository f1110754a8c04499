"""Client accounts in the widget: log in, create an account, the confirmation page.

My bookings (reschedule, cancel, history) are in views_my_bookings.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from core.services.accounts import authenticate_client, register_client
from core.services.booking import find_booking
from core.services.checkout import receipt
from core.services.errors import EmailTaken, InvalidCredentials
from web.auth import current_client, log_in, log_out, login_required_as, safe_next
from web.clock import now
from web.extensions import db
from widget import bp
from widget.forms import LoginForm, RegisterForm
from widget.holds import KEEP_ON_LOGIN, current_hold

Page = str | tuple[str, int] | Response
client_required = login_required_as("client", "widget.login")


def _next_url(form_next: str | None) -> str:
    return safe_next(form_next or request.args.get("next"), url_for(".my_bookings"))


@bp.route("/login", methods=["GET", "POST"])
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


@bp.route("/register", methods=["GET", "POST"])
def register() -> Page:
    """Create a client account (name, email, phone, password) and log in."""
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            client = register_client(
                db.session,
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data or "",
                password=form.password.data,
                now=now(),
            )
        except EmailTaken as error:
            form.email.errors = [str(error)]
            return render_template("widget/register.html", form=form, hold=current_hold()), 409
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
        "widget/confirmed.html", booking=booking, receipt=receipt(db.session, booking)
    )
