"""Configuration: defaults, then instance/config.py, then the environment, then test overrides."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


class DefaultConfig:
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # Keep the studio's settings, types and locations per process between requests (PostgreSQL
    # only: each process listens for changes; core/services/read_cache.py).
    READ_CACHE = True
    # Minutes a chosen time is held for a client while they log in and confirm.
    HOLD_MINUTES = 10
    # Origins allowed to frame the widget (CSP frame-ancestors); "*" until the studio lists its own.
    WIDGET_FRAME_ANCESTORS = "*"
    ADMIN_URL_PREFIX = "/admin"
    SESSION_COOKIE_NAME = "studiobook"
    ADMIN_SESSION_COOKIE_NAME = "studiobook_admin"
    SESSION_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; holds expire on their own
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # "test" (the test-mode processor: no real money, documented test cards) or "stripe".
    PAYMENT_GATEWAY = "test"
    STRIPE_SECRET_KEY = ""
    STRIPE_PUBLISHABLE_KEY = ""
    STRIPE_API_BASE: str | None = None
    STRIPE_JS_URL = "https://js.stripe.com/v3/"
    # smtp://user:pass@host:587?starttls=1 or smtps://...; blank keeps mail in the outbox (admin).
    MAIL_URL = ""
    MAIL_FROM = ""  # blank: "<studio name> <bookings@studiobook.invalid>"
    MAIL_TIMEOUT_SECONDS = 30
    MAIL_SENDER_THREAD = True  # send right after the commit, in a background thread
    PASSWORD_RESET_MINUTES = 60
    # Rate limits (Flask-Limiter): "memory://" per process, or redis://host:6379 shared by workers.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    PROMO_CODE_RATE_LIMIT = "10 per minute;60 per hour"  # per client (per IP when logged out)
    PROMO_CODE_RATE_LIMIT_PER_IP = "30 per minute;300 per hour"
    # Logins (widget and admin), account creation and reset requests: see web.rate_limits.
    AUTH_RATE_LIMIT_PER_IP = "30 per minute"
    LOGIN_RATE_LIMIT_PER_EMAIL = "5 per minute;20 per hour"  # failed attempts
    PASSWORD_RESET_RATE_LIMIT_PER_EMAIL = "5 per minute;20 per hour"
    RATELIMIT_KEY_PREFIX = "studiobook"
    # Staff are logged out after this many minutes without a request.
    ADMIN_IDLE_MINUTES = 30
    # Proxies in front of the app (each adds X-Forwarded-For/-Proto): 0 when clients connect
    # directly. Needed behind a load balancer for per-IP limits and HTTPS detection (HSTS).
    TRUSTED_PROXIES = 0


def environment_config(instance_path: Path) -> dict[str, Any]:
    """Settings read from the environment (DATABASE_URL, SECRET_KEY, ...) with working defaults."""
    config: dict[str, Any] = {}
    database_url = os.environ.get("DATABASE_URL")
    config["SQLALCHEMY_DATABASE_URI"] = (
        database_url or f"sqlite:///{instance_path / 'studiobook.db'}"
    )
    names: tuple[tuple[str, type], ...] = (
        ("SECRET_KEY", str),
        ("HOLD_MINUTES", int),
        ("WIDGET_FRAME_ANCESTORS", str),
        ("PAYMENT_GATEWAY", str),
        ("STRIPE_SECRET_KEY", str),
        ("STRIPE_PUBLISHABLE_KEY", str),
        ("STRIPE_API_BASE", str),
        ("MAIL_URL", str),
        ("MAIL_FROM", str),
        ("PASSWORD_RESET_MINUTES", int),
        ("RATELIMIT_STORAGE_URI", str),
        ("PROMO_CODE_RATE_LIMIT", str),
        ("PROMO_CODE_RATE_LIMIT_PER_IP", str),
        ("AUTH_RATE_LIMIT_PER_IP", str),
        ("LOGIN_RATE_LIMIT_PER_EMAIL", str),
        ("PASSWORD_RESET_RATE_LIMIT_PER_EMAIL", str),
        ("RATELIMIT_KEY_PREFIX", str),
        ("ADMIN_IDLE_MINUTES", int),
        ("TRUSTED_PROXIES", int),
        ("READ_CACHE", int),
    )
    for name, cast in names:
        if name in os.environ:
            config[name] = cast(os.environ[name])
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _instance_secret(instance_path)
    return config


def _instance_secret(instance_path: Path) -> str:
    """A random key kept in instance/secret_key, so sessions survive restarts of the demo."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
