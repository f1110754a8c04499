"""When the browser refuses every cookie inside the studio's iframe (older Safari, strict privacy
settings), the booking finishes in a window of its own, with the chosen time kept.

Why a window, not the whole session in URLs: a login carried in links leaks through history,
Referer headers and shared links, and every link, form and htmx request would have to carry it. A
window of our own site gets ordinary first-party cookies (and payment pages want one anyway). What
the frame knows is small and not secret: the held time, the promo code a link brought, where the
client came from and which page frames the widget. It travels in one signed token that expires
(itsdangerous, 30 minutes); never the login.

The server decides, not JavaScript:
- A form of ours (it carries the CSRF token we signed) posted back with no cookie at all: the
  browser refused the cookie its page set. Such a request carries no one's authority, so the hold
  step holds the time without a session to compare the token with, and answers with the handoff
  page: "Continue in a new window", with the time already held.
- While a framed page (embed.js adds `embed_origin`) comes without a cookie, its links keep the
  embed's parameters, so where the client came from survives until the handoff.
- The new window lands on its step with `sb_c=1`: no cookie there means the browser refuses
  cookies even on our own site, and the client is told so instead of going round again.
- Any other form posted without a cookie (log in from the frame's header, ...) gets the same offer
  instead of "the form expired".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    current_app,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from itsdangerous import BadData, BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from core.models import ServiceType, TimeSlot
from core.rules.embedding import ATTRIBUTION_KEYS, clean_attribution
from core.rules.promotions import is_well_formed, normalize_code
from core.services.booking import Hold
from web.auth import safe_next
from web.errors import CSRF_REFUSED, render_error
from web.extensions import db
from web.htmx import is_htmx
from widget import CONTEXT_FREE_ENDPOINTS, bp
from widget.embedding import trusted_origin, visit_attribution
from widget.holds import (
    ATTRIBUTION_KEY,
    EMBED_PARENT_KEY,
    HANDOFF_KEY,
    PROMO_CODE_KEY,
    remember_hold,
)
from widget.promo import MAX_TYPED, typed_code
from widget.views_theme import preferences

Page = str | tuple[str, int] | Response

SALT = "studiobook.widget-handoff"
MAX_AGE_SECONDS = 30 * 60
COOKIE_CHECK = "sb_c"
_EMBED_ARGS = ("embed_origin", *ATTRIBUTION_KEYS, "code")
_PLAIN: dict[str, Any] = dict.fromkeys(_EMBED_ARGS)  # url_for(..., **_PLAIN): without them


def without_cookies() -> bool:
    """Whether the request came with no cookie at all: a first visit, or a browser refusing them."""
    return not request.cookies


def cookies_refused() -> bool:
    """Whether this is a form from one of our pages (it carries the CSRF token we signed for it)
    posted back without any cookie: the browser refused the session cookie the page set."""
    if request.method != "POST" or not without_cookies():
        return False
    config = current_app.config
    signed = request.form.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "")
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    try:
        URLSafeTimedSerializer(secret, salt="wtf-csrf-token").loads(  # Flask-WTF's signing
            signed, max_age=config.get("WTF_CSRF_TIME_LIMIT", 3600)
        )
    except BadData:
        return False
    return True


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)  # type: ignore[arg-type]


def _visit_code() -> str:
    code = normalize_code(request.args.get("code", ""))[:MAX_TYPED]
    return code if is_well_formed(code) else typed_code()


def handoff_url(next_url: str, hold: Hold | None = None) -> str:
    """The new window's address: `next_url` (a path of ours) to land on, and what this frame
    knows, signed."""
    came_from = clean_attribution(
        {k: request.args[k] for k in ATTRIBUTION_KEYS if k in request.args}
    )
    state = {
        "next": next_url,
        "hold": hold
        and [hold.slot_id, hold.service_type_id, hold.token, hold.held_until.isoformat()],
        "came_from": came_from or visit_attribution(),
        "parent": trusted_origin(request.args.get("embed_origin", session.get(EMBED_PARENT_KEY))),
        "code": _visit_code(),
    }
    return url_for(".continue_booking", t=_serializer().dumps(state))


def hand_off(hold: Hold, service_type: ServiceType) -> Page:
    """After holding a time for a request without cookies: the new window's offer (in a frame),
    or straight on (already a window of its own, e.g. a session cookie that was cleared)."""
    continue_url = handoff_url(url_for(".checkout", **_PLAIN), hold)
    if request.headers.get("Sec-Fetch-Dest") == "document":
        return redirect(continue_url, 303)
    parent = trusted_origin(request.args.get("embed_origin"))
    if parent:
        session[EMBED_PARENT_KEY] = parent  # this page only: widget.js sizes the iframe
    return render_template(
        "widget/handoff.html",
        continue_url=continue_url,
        slot=db.session.get(TimeSlot, hold.slot_id),
        service_type=service_type,
        hold=hold,
        parent_host=urlsplit(parent).netloc if parent else None,
    )


@bp.errorhandler(CSRFError)
def form_without_cookies(error: CSRFError) -> Page:
    """A form of ours posted back with no cookie at all: the browser keeps none for this frame,
    so offer to go on in a window of its own, at the page the form was on. Otherwise (no token,
    a forged one, a session that does not match) the usual refusal."""
    if is_htmx() or not cookies_refused():
        return render_error(CSRF_REFUSED, 400)
    continue_url = handoff_url(_page_the_form_was_on())
    if request.headers.get("Sec-Fetch-Dest") == "document":
        return redirect(continue_url, 303)
    parent = trusted_origin(request.args.get("embed_origin"))
    return render_template(
        "widget/handoff.html",
        continue_url=continue_url,
        parent_host=urlsplit(parent).netloc if parent else None,
    ), 400


def _page_the_form_was_on() -> str:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and request.method == "POST":
        path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        return safe_next(path, url_for(".choose_type", **_PLAIN))
    return url_for(".choose_type", **_PLAIN)


def _bad_link(message: str) -> tuple[str, int]:
    return render_template(
        "widget/problem.html",
        message=message,
        back_url=url_for(".choose_type", **_PLAIN),
        back_label="Start again",
    ), 400


@bp.get("/book/continue")
def continue_booking() -> Page:
    """The new window: what the frame knew, kept in this window's session, then its step."""
    try:
        state = _serializer().loads(request.args.get("t", ""), max_age=MAX_AGE_SECONDS)
        hold = state["hold"] and Hold(
            int(state["hold"][0]),
            int(state["hold"][1]),
            str(state["hold"][2]),
            datetime.fromisoformat(state["hold"][3]),
        )
        next_url = safe_next(state["next"], url_for(".choose_type", **_PLAIN))
    except SignatureExpired:
        return _bad_link(
            "This link to continue your booking has expired (it lasts 30 minutes). "
            "Please start again."
        )
    except (BadSignature, KeyError, TypeError, ValueError, IndexError):
        return _bad_link("This link to continue your booking is not valid. Please start again.")
    if hold:
        remember_hold(hold)
    if came_from := clean_attribution(state.get("came_from") or {}):
        session[ATTRIBUTION_KEY] = came_from
    parent = trusted_origin(state.get("parent"))
    if parent:
        session[EMBED_PARENT_KEY] = parent
    if isinstance(code := state.get("code"), str) and is_well_formed(code):
        session[PROMO_CODE_KEY] = code
    session[HANDOFF_KEY] = parent or ""
    separator = "&" if "?" in next_url else "?"
    return redirect(f"{next_url}{separator}{COOKIE_CHECK}=1", 303)


@bp.before_request
def cookies_kept_here() -> tuple[str, int] | None:
    """The new window's first step: without a cookie now, the browser refuses ours everywhere,
    and going on would only lose the chosen time again. Say so, once."""
    if request.method != "GET" or COOKIE_CHECK not in request.args or not without_cookies():
        return None
    return render_template(
        "widget/problem.html",
        message=(
            "Your browser is not accepting cookies from this booking site, and booking needs "
            "one to remember your chosen time and who you are. Please allow cookies for "
            f"{request.host} in your browser's settings, then start again."
        ),
        back_url=url_for(".choose_type", **_PLAIN),
        back_label="Start again",
    ), 400


@bp.url_defaults
def keep_embed_without_cookies(endpoint: str, values: dict[str, Any]) -> None:
    """While a framed page comes without cookies, its links keep the embed's parameters."""
    if not has_request_context() or endpoint in CONTEXT_FREE_ENDPOINTS:
        return
    if "embed_origin" not in request.args or not without_cookies():
        return
    if request.endpoint == "widget.continue_booking" or endpoint == "widget.continue_booking":
        return
    for key in _EMBED_ARGS:
        if key in request.args:
            values.setdefault(key, request.args[key])


@bp.context_processor
def handoff_context() -> dict[str, Any]:
    """In a window the frame handed off to: the way back to the studio's site (its redirect URL,
    else the page's site), and that the frame is told when the booking is done."""
    if HANDOFF_KEY not in session:
        return {"handed_off": False, "handoff_back_url": None}
    parent = session.get(HANDOFF_KEY)
    back = preferences().redirect_url or (
        f"{parent}/" if isinstance(parent, str) and parent else None
    )
    return {"handed_off": True, "handoff_back_url": back}
