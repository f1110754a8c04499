"""Staff login and logout, and the admin's front door. Topic views live in admin/views_*.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from admin import bp
from admin.forms import LoginForm
from admin.views_common import show_error, staff_required
from admin.views_notices import home_notices
from core.services.accounts import authenticate_staff
from core.services.errors import InvalidCredentials
from web.auth import current_staff, log_in, log_out, safe_next
from web.extensions import db
from web.rate_limits import login_limited


@bp.route("/login", methods=["GET", "POST"])
@login_limited
def login() -> Response | tuple[str, int]:
    """Staff log in with email and password; a wrong pair says so without naming which part."""
    home = url_for("admin.home")
    if current_staff() is not None:
        return redirect(safe_next(request.args.get("next"), home), 303)
    form = LoginForm()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            staff = authenticate_staff(
                db.session, email=form.email.data or "", password=form.password.data or ""
            )
        except InvalidCredentials as error:
            status = show_error(form, error)
        else:
            log_in(staff)
            return redirect(safe_next(request.args.get("next"), home), 303)
    return render_template("admin/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    """End the staff session (POST, so no link or image can log anyone out)."""
    log_out()
    flash("You are logged out.", "info")
    return redirect(url_for("admin.login"), 303)


@bp.get("/")
@staff_required
def home() -> str:
    """The home screen: my unread notices (newest first), then the way into each section."""
    return render_template("admin/home.html", **home_notices())


from admin import (  # noqa: E402, F401
    views_bookings,
    views_clients,
    views_invoice_promotions,
    views_invoices,
    views_lists,
    views_mail,
    views_mail_templates,
    views_notice_settings,
    views_organizations,
    views_preferences,
    views_price_list,
    views_promotions,
    views_service_types,
    views_settings,
    views_slots,
    views_staff,
)
