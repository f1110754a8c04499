"""The studio's look and on/off switch in the widget (seed 001: Activation, Logo, Customization).

Every widget page is replaced by a notice while online booking is switched off; the studio's
colours arrive as CSS variables from one small stylesheet (the CSP forbids inline styles).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import current_app, g, render_template, request, url_for
from werkzeug.wrappers import Response

from core.models import BookingStyle, OnlinePreferences
from core.services.preferences import online_preferences
from web.extensions import db
from widget import bp
from widget.palette import palette

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
# Pages that must work while booking is off: the stylesheet, images and the look itself.
_ALWAYS_SERVED = {"widget.static", "widget.theme_css", "widget.stored_file"}
RETRY_AFTER_SECONDS = 3600


def preferences() -> OnlinePreferences:
    """The studio's online preferences, read once per request."""
    if "online_preferences" not in g:
        g.online_preferences = online_preferences(db.session)
    return g.online_preferences  # type: ignore[no-any-return]


@bp.before_request
def booking_switched_on() -> tuple[str, int, dict[str, str]] | None:
    """While online booking is not active, every widget page says so (503: it comes back)."""
    if request.endpoint in _ALWAYS_SERVED or preferences().active:
        return None
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return render_template("widget/unavailable.html"), 503, headers


@bp.context_processor
def studio_look() -> dict[str, Any]:
    """The header's logo (Link style with Show logo) and the way back to the studio's site."""
    prefs = preferences()
    link_style = prefs.style is BookingStyle.LINK
    logo_url = None
    # The files route comes with the admin's logo upload; no logo until it exists.
    can_serve = "widget.stored_file" in current_app.view_functions
    if link_style and prefs.show_logo and prefs.logo is not None and can_serve:
        logo_url = url_for("widget.stored_file", public_id=prefs.logo.public_id)
    return {
        "logo_url": logo_url,
        "back_to_studio_url": prefs.redirect_url if link_style and prefs.redirect_url else None,
    }


def _colour(value: str | None) -> str | None:
    return value.lower() if value and _HEX.match(value) else None


def theme_variables(prefs: OnlinePreferences) -> str:
    """`:root{...}` with the studio's valid colours and the readable shades they need (WCAG AA);
    blank or invalid ones are left out."""
    colours = palette(
        _colour(prefs.colour_accent), _colour(prefs.colour_background), _colour(prefs.colour_text)
    )
    body = ";".join(f"{name}:{value}" for name, value in colours.items())
    return f":root{{{body}}}\n" if body else "/* the widget's default colours */\n"


@bp.get("/book/theme.css")
def theme_css() -> Response:
    """The studio's colours as CSS variables, revalidated by ETag."""
    css = theme_variables(preferences())
    response = Response(css, mimetype="text/css")
    response.set_etag(hashlib.sha256(css.encode()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)
