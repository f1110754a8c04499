"""CLI commands registered on the app (flask --app wsgi <command>)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.services import demo
from web.clock import now
from web.extensions import db


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo studio into an empty database (does nothing if a studio exists)."""
    if demo.seed_demo(db.session, now=now()):
        click.echo(
            f"Demo studio loaded. Staff login: {demo.DEMO_STAFF_EMAIL} / "
            f"{demo.DEMO_STAFF_PASSWORD}; client password: {demo.DEMO_CLIENT_PASSWORD}"
        )
    else:
        click.echo("A studio exists already; nothing loaded.")
