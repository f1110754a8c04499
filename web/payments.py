"""The configured payment gateway, built once per app.

PAYMENT_GATEWAY = "test" (default: the test-mode processor, cards in its docstring) or "stripe"
(STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, optional STRIPE_API_BASE). Tests may put their own
gateway in app.extensions["studiobook_gateway"].
"""

from __future__ import annotations

from flask import Flask, current_app

from core.services.payments import Gateway, make_gateway
from web.clock import now
from web.extensions import db

_KEY = "studiobook_gateway"


def gateway() -> Gateway:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if _KEY not in app.extensions:
        app.extensions[_KEY] = _build(app)
    return app.extensions[_KEY]  # type: ignore[no-any-return]


def _build(app: Flask) -> Gateway:
    name = app.config["PAYMENT_GATEWAY"]
    if name == "stripe":
        return make_gateway(
            "stripe",
            api_key=app.config["STRIPE_SECRET_KEY"],
            api_base=app.config.get("STRIPE_API_BASE"),
        )
    return make_gateway(name, engine=db.engine, clock=now)


def init_app(app: Flask) -> None:
    if app.config["PAYMENT_GATEWAY"] == "stripe" and not app.config.get("STRIPE_SECRET_KEY"):
        raise RuntimeError("PAYMENT_GATEWAY=stripe needs STRIPE_SECRET_KEY")
