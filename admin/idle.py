"""Staff sessions end after ADMIN_IDLE_MINUTES without a request: an admin left open on a
shared studio computer does not stay logged in. The last request's time is kept in the (signed)
admin session; the next request after too long a pause logs out and comes back after login."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from werkzeug.wrappers import Response

from admin import bp
from web.auth import current_staff, log_out, safe_next
from web.clock import now
from web.htmx import is_htmx

LAST_SEEN = "last_seen"


def _idle_limit() -> timedelta:
    return timedelta(minutes=int(current_app.config["ADMIN_IDLE_MINUTES"]))


def _back_here() -> str:
    """Where to return after logging in again: this page, or for a form the page it was on."""
    home = url_for("admin.home")
    if request.method == "GET" and not is_htmx():
        return safe_next(request.full_path.rstrip("?"), home)
    page = request.headers.get("HX-Current-URL") or request.referrer or ""
    parts = urlsplit(page)
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), home)


@bp.before_request
def log_out_idle_staff() -> Response | None:
    if request.endpoint == "admin.static" or current_staff() is None:
        return None
    current = int(now().timestamp())
    last_seen = session.get(LAST_SEEN)
    if isinstance(last_seen, int) and current - last_seen > _idle_limit().total_seconds():
        target = _back_here()
        log_out()
        minutes = int(_idle_limit().total_seconds() // 60)
        flash(f"You were logged out after {minutes} minutes without activity.", "info")
        login = url_for("admin.login", next=target)
        if is_htmx():  # the whole page goes to the login, not just the swapped part
            return Response(status=204, headers={"HX-Redirect": login})
        return redirect(login, 303)
    session[LAST_SEEN] = current
    return None
