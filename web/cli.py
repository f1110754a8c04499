"""CLI commands registered on the app (flask --app wsgi <command>)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from core.services import checkout, demo, slot_job
from web.clock import now
from web.extensions import db

if TYPE_CHECKING:
    from core.services.mail import SendReport

# Commands whose mail links into the booking site: cron has no request to take the address from.
base_url_option = click.option(
    "--base-url",
    envvar="STUDIOBOOK_BASE_URL",
    default=None,
    help="The booking site's address for links in the mail, e.g. https://book.yourstudio.com "
    "(or STUDIOBOOK_BASE_URL).",
)


def mail_report(report: SendReport) -> str:
    """What the sender did, for the commands that send due mail after their work."""
    return (
        f"Mail: {report.sent} sent, {report.retrying} to retry later, {report.failed} failed, "
        f"{report.kept} kept in the outbox (no MAIL_URL)."
    )


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


@click.group("payments")
def payments_group() -> None:
    """Payment housekeeping."""


@payments_group.command("reconcile")
@click.option("--older-than", default=5, show_default=True, help="Minutes an attempt may run.")
@with_appcontext
def reconcile_command(older_than: int) -> None:
    """Settle payment attempts a crash left pending: refund charges that have no booking."""
    from web.payments import gateway

    report = checkout.reconcile_pending(
        db.session, gateway(), now=now(), older_than=timedelta(minutes=older_than)
    )
    click.echo(
        f"Reconciled: {report.refunded} refunded, {report.failed} never charged, "
        f"{report.still_pending} still pending (processor unreachable)."
    )


@click.group("mail")
def mail_group() -> None:
    """The mail outbox."""


@mail_group.command("send-pending")
@click.option("--limit", default=500, show_default=True, help="Most messages to handle.")
@with_appcontext
def send_pending_command(limit: int) -> None:
    """Send the outbox's due messages (for cron); without MAIL_URL they are kept for the admin."""
    from web.mail import send_due

    report = send_due(limit)
    click.echo(mail_report(report))


@mail_group.command("send-reminders")
@base_url_option
@with_appcontext
def send_reminders_command(base_url: str | None) -> None:
    """Remind clients of bookings within the reminder hours (Preferences), once each (for cron:
    hourly or more often; safe to run twice or on two hosts), then send due mail."""
    from flask import current_app

    from core.services.booking_mail import send_reminders
    from web.booking_mail import booking_mailer
    from web.mail import send_due

    with current_app.test_request_context(base_url=base_url):  # url_for for the links
        queued = send_reminders(db.session, now=now(), mailer=booking_mailer())
    report = send_due(500)
    click.echo(f"Reminders: {queued} queued. {mail_report(report)}")


@click.group("timeslots")
def timeslots_group() -> None:
    """Time slot jobs."""


@timeslots_group.command("run-weekly")
@click.option("--force", is_flag=True, help="Run whatever the day (still at most once a day).")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to run as (YYYY-MM-DD); default: today at the studio.",
)
@with_appcontext
def run_weekly_command(force: bool, today: datetime | None) -> None:
    """Copy the source week into the next week (cron: daily; it acts on its chosen day)."""
    from flask import current_app

    from web.slot_job import run_weekly

    with current_app.test_request_context():  # url_for for the notice's links
        result = run_weekly(force=force, today=today.date() if today else None)
    click.echo(slot_job.report(result))
    if result.failed:
        raise SystemExit(1)


@click.group("waitlist")
def waitlist_group() -> None:
    """The waiting list."""


@waitlist_group.command("reopen-expired-holds")
@base_url_option
@with_appcontext
def reopen_expired_holds_command(base_url: str | None) -> None:
    """Open again the times whose hold ran out unused and mail the clients waiting for their
    days, once each (for cron: every few minutes; safe to run twice or on two hosts), then
    send due mail."""
    from flask import current_app

    from core.services.waitlist_openings import reopen_expired_holds
    from web.mail import send_due
    from web.waitlist import waitlist_mail

    with current_app.test_request_context(base_url=base_url):  # url_for for the hold links
        reopened = reopen_expired_holds(db.session, now=now(), mail=waitlist_mail())
    report = send_due(500)
    times = "time whose hold ran out" if reopened.slots == 1 else "times whose hold ran out"
    mails = "waitlist mail" if reopened.mails == 1 else "waitlist mails"
    click.echo(
        f"Waitlist: {reopened.slots} {times} reopened, {reopened.mails} {mails} queued. "
        + mail_report(report)
    )
