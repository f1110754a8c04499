"""Composition root: create_app() wires configuration, extensions, blueprints and CLI commands.

flask --app wsgi run            # development server
gunicorn "wsgi:create_app()"    # production
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from core.services import read_cache
from web import (
    booking_notices,
    errors,
    form_input,
    formatting,
    mail,
    payments,
    security,
    static_files,
)
from web.config import DefaultConfig, environment_config
from web.extensions import csrf, db, limiter, login_manager, migrate
from web.sessions import SplitSessionInterface


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder=None,
    )
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(environment_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        # Behind a load balancer: the client's address and scheme come from its headers.
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    app.session_interface = SplitSessionInterface()
    db.init_app(app)
    if app.config["READ_CACHE"]:
        with app.app_context():
            read_cache.serve(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    form_input.init_app(app)
    formatting.init_app(app)
    payments.init_app(app)
    mail.init_app(app)
    booking_notices.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    _register_cli(app)

    @app.get("/healthz")
    def healthz() -> tuple[Any, int]:
        """Liveness and database check for load balancers."""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok"), 200

    return app


def _register_blueprints(app: Flask) -> None:
    from admin import bp as admin_bp
    from widget import bp as widget_bp

    app.register_blueprint(widget_bp)
    app.register_blueprint(admin_bp, url_prefix=app.config["ADMIN_URL_PREFIX"])

    @app.context_processor
    def area() -> dict[str, Any]:
        from web.sessions import in_admin

        return {"in_admin": in_admin()}


def _register_cli(app: Flask) -> None:
    from web.cli import (
        mail_group,
        payments_group,
        seed_demo_command,
        timeslots_group,
        waitlist_group,
    )

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(payments_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(timeslots_group)
    app.cli.add_command(waitlist_group)
