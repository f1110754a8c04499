"""The studio's look and on/off switch in the widget (seed 001: Activation, Logo, Customization).

Every widget page is replaced by a notice while online booking is switched off; the studio's
colours arrive as CSS variables appended to widget.css, served as one stylesheet (the CSP forbids
inline styles) whose URL names its content, so browsers keep it for a year.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from flask import current_app, g, render_template, request, url_for
from werkzeug.wrappers import Response

from core.models import BookingStyle, OnlinePreferences
from core.services.preferences import online_preferences
from web.extensions import db
from web.sessions import cookie_free
from web.static_files import keep_a_year
from widget import bp
from widget.palette import palette

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
# Pages that must work while booking is off: the stylesheet, images and the look itself.
_ALWAYS_SERVED = {"widget.static", "widget.stylesheet", "widget.stored_file"}
RETRY_AFTER_SECONDS = 3600
_WIDGET_CSS = Path(__file__).parent / "static" / "widget.css"


class Sheet(NamedTuple):
    css: str
    version: str  # a hash of `css`: in the URL, and the ETag


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
        "stylesheet_url": stylesheet_url,
    }


def _colour(value: str | None) -> str | None:
    return value.lower() if value and _HEX.match(value) else None


def theme_variables(accent: str | None, background: str | None, text: str | None) -> str:
    """`:root{...}` with the studio's valid colours and the readable shades they need (WCAG AA);
    blank or invalid ones are left out."""
    colours = palette(_colour(accent), _colour(background), _colour(text))
    body = ";".join(f"{name}:{value}" for name, value in colours.items())
    return f":root{{{body}}}\n" if body else "/* the widget's default colours */\n"


@lru_cache(maxsize=32)
def _widget_stylesheet(colours: tuple[str | None, str | None, str | None], mtime: int) -> Sheet:
    # One per colour choice and widget.css version (`mtime`: a deploy, or an edit under flask run).
    css = _WIDGET_CSS.read_text(encoding="utf-8") + theme_variables(*colours)
    return Sheet(css, hashlib.sha256(css.encode()).hexdigest()[:16])


def widget_stylesheet() -> Sheet:
    """widget.css followed by the studio's colours (later `:root` rules win), and its version."""
    prefs = preferences()
    colours = (prefs.colour_accent, prefs.colour_background, prefs.colour_text)
    return _widget_stylesheet(colours, _WIDGET_CSS.stat().st_mtime_ns)


def stylesheet_url() -> str:
    """The stylesheet's address: its version changes whenever the colours or widget.css do."""
    return url_for("widget.stylesheet", v=widget_stylesheet().version)


@bp.get("/book/widget.css")
@cookie_free
def stylesheet() -> Response:
    """The widget's stylesheet with the studio's colours; kept a year when asked for by its
    current version (the URL pages link), revalidated by ETag otherwise."""
    sheet = widget_stylesheet()
    response = Response(sheet.css, mimetype="text/css")
    response.set_etag(sheet.version)
    if request.args.get("v") == sheet.version:
        keep_a_year(response)
    else:  # an old page's (or another host's) version: never pin this content under its URL
        response.cache_control.public = True
        response.cache_control.no_cache = True
    return response.make_conditional(request)
