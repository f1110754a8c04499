"""Forgotten password: ask for a link by email, then choose a new password through it.

The request page answers every address alike, so it never tells whether an account exists.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import Email, InputRequired, Length

from core.models import Client
from core.services import password_reset as reset_links
from core.services.errors import InvalidDetails
from core.services.mail import MailContent
from web.auth import log_in
from web.clock import now
from web.extensions import db
from web.formatting import studio
from web.mail import id_domain
from web.mail_wording import compose
from web.rate_limits import reset_limited
from widget import bp
from widget.holds import KEEP_ON_LOGIN

Page = str | tuple[str, int] | Response


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[
            InputRequired("Enter your email."),
            Email("Enter a valid email address."),
            Length(max=254),
        ],
    )


class NewPasswordForm(FlaskForm):
    # The same rules as the change-password form on My details.
    new_password = PasswordField(
        "New password",
        validators=[
            InputRequired("Choose a new password."),
            Length(min=8, max=200, message="Use at least 8 characters."),
        ],
    )


def _minutes() -> int:
    return int(current_app.config["PASSWORD_RESET_MINUTES"])


def _compose(client: Client, token: str) -> MailContent:
    """The reset mail in the studio's wording (Mail wording: "Password reset")."""
    return compose(
        reset_links.KIND,
        {
            "client_name": client.name,
            "studio_name": studio().name,
            "email": client.email,
            "reset_link": url_for("widget.password_reset", token=token, _external=True),
            "minutes": _minutes(),
        },
    )


@bp.route("/account/forgot-password", methods=["GET", "POST"])
@reset_limited
def password_forgot() -> Page:
    """Ask for a reset link; the same answer whether or not the address has an account."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("widget/password_forgot.html", form=form), status
    reset_links.request_reset(
        db.session,
        email=form.email.data,
        secret_key=current_app.config["SECRET_KEY"],
        now=now(),
        compose=_compose,
        domain=id_domain(),
    )
    return render_template(
        "widget/password_forgot.html", form=form, sent_to=form.email.data, minutes=_minutes()
    )


@bp.route("/account/reset-password/<token>", methods=["GET", "POST"])
def password_reset(token: str) -> Page:
    """Choose a new password through the mailed link; then the client is logged in."""
    secret_key, max_age = current_app.config["SECRET_KEY"], timedelta(minutes=_minutes())
    try:
        reset_links.client_for_token(
            db.session, token, secret_key=secret_key, max_age=max_age, now=now()
        )
    except reset_links.ResetLinkInvalid as error:
        return _invalid_link(error)
    form = NewPasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("widget/password_reset.html", form=form, token=token), status
    try:
        client = reset_links.reset_password(
            db.session,
            token,
            form.new_password.data,
            secret_key=secret_key,
            max_age=max_age,
            now=now(),
        )
    except reset_links.ResetLinkInvalid as error:
        return _invalid_link(error)
    except InvalidDetails as error:
        form.new_password.errors = [error.errors["new_password"]]
        return render_template("widget/password_reset.html", form=form, token=token), 400
    log_in(client, keep=KEEP_ON_LOGIN)
    flash("Your new password is saved and you are logged in.", "success")
    return redirect(url_for(".my_bookings"), 303)


def _invalid_link(error: reset_links.ResetLinkInvalid) -> tuple[str, int]:
    return render_template(
        "widget/password_reset_invalid.html", message=str(error), form=ForgotPasswordForm()
    ), error.status_code
