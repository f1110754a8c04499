"""The promo code on the review step (seed 000): shown when the studio un-hides the field for the
kind and the type takes codes; applied in place with htmx (the price summary is re-rendered with
the discount, the new total and amount due, and a message saying why a code does not apply).

A marketing link may carry the code (`/book/<slug>?code=FSF`, `/?code=FSF`): it is kept in the
session and applied at review with the usual checks. Entering codes is rate limited.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address

from core.models import FieldMode, ServiceType
from core.rules.promotions import is_well_formed, normalize_code
from core.services.booking import Hold
from core.services.checkout import Quote
from core.services.preferences import kind_preferences
from web.auth import current_client
from web.extensions import db, limiter
from web.htmx import is_htmx
from widget import bp
from widget.holds import PROMO_CODE_KEY

_CODE = PROMO_CODE_KEY
_SHOWN = "promo_code_shown"  # what the price summary last said of the code (remember_code_shown)
MAX_TYPED = 40


@bp.before_request
def keep_code_from_link() -> None:
    """`?code=` on any widget page (a marketing deep link) is kept for the review step."""
    typed = request.args.get("code")
    if request.method == "GET" and typed:
        code = normalize_code(typed)[:MAX_TYPED]
        if is_well_formed(code):
            session[_CODE] = code


def typed_code() -> str:
    code = session.get(_CODE, "")
    return code if isinstance(code, str) else ""


def forget_code() -> None:
    session.pop(_CODE, None)
    session.pop(_SHOWN, None)


def promo_field_offered(service_type: ServiceType) -> bool:
    """Whether the studio shows the promo code field for this type: the kind's field un-hidden,
    the type taking codes and creating an invoice (a code discounts the invoice)."""
    return (
        service_type.auto_create_invoice
        and service_type.accepts_promo_codes
        and kind_preferences(db.session, service_type.kind).promo_code_mode is not FieldMode.HIDDEN
    )


def code_field_shown(service_type: ServiceType, quote: Quote) -> bool:
    return quote.creates_invoice and promo_field_offered(service_type)


def code_to_redeem(service_type: ServiceType, quote: Quote) -> str:
    """The code to book with: the typed one, when the field is offered and the code applied."""
    if not code_field_shown(service_type, quote) or quote.promotions is None:
        return ""
    return quote.promotions.code


def remember_code_shown(hold: Hold, code: str) -> None:
    """Keep what the price summary said of the code for this hold: the code that applied
    (`code_to_redeem`; "" for none). Confirming then books with what the client saw, decided
    again under the promotions' locks, without pricing the booking once more before. (Logging
    in or out starts a new session: what someone else was shown is never kept.)"""
    shown = {"token": hold.token, "code": code}
    if session.get(_SHOWN) != shown:
        session[_SHOWN] = shown


def code_shown(hold: Hold) -> str | None:
    """The code the client was shown as applying for this hold ("" for none), or None when no
    price was shown for it (another time held since, or the review step skipped)."""
    shown = session.get(_SHOWN)
    if not isinstance(shown, dict) or shown.get("token") != hold.token:
        return None
    code = shown.get("code")
    return code if isinstance(code, str) else None


_TOO_MANY_CODES = "Too many codes tried. Please wait a minute, then try again."


def _limit() -> str:
    return str(current_app.config["PROMO_CODE_RATE_LIMIT"])


def _limit_per_ip() -> str:
    return str(current_app.config["PROMO_CODE_RATE_LIMIT_PER_IP"])


def _client_key() -> str:
    """Codes are counted per client (a new session does not reset them), per IP when logged out."""
    client = current_client()
    return f"client:{client.id}" if client is not None else f"ip:{get_remote_address()}"


@bp.post("/book/promo")
@limiter.limit(_limit, key_func=_client_key, methods=["POST"], error_message=_TOO_MANY_CODES)
@limiter.limit(_limit_per_ip, methods=["POST"], error_message=_TOO_MANY_CODES)
def apply_code() -> Any:
    """Apply (or remove) the code; htmx gets the price summary back, a plain form the page."""
    from widget.views import held_booking_context  # the booking flow owns the held context

    if request.form.get("action") == "remove":
        forget_code()
    else:
        typed = request.form.get("promo_code", "")
        code = normalize_code(typed)[: MAX_TYPED + 1]
        if code:
            session[_CODE] = code
        else:
            forget_code()
    context = held_booking_context()
    if not isinstance(context, dict):
        return context
    if not is_htmx():
        return redirect(url_for(".checkout"), 303)
    status = 200
    check = context["quote"].promotions.check if context["quote"].promotions else None
    if check is not None and not check.applied:
        status = 422  # the summary still swaps in (htmx swaps 4xx here), with the reason
    return render_template("widget/_price_summary.html", oob=True, **context), status


def promo_context(service_type: ServiceType, quote: Quote) -> dict[str, Any]:
    return {
        "promo_shown": code_field_shown(service_type, quote),
        "promo_typed": typed_code(),
    }
