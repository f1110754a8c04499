"""The weekly time slot job as the web layer runs it (the CLI for cron, "Run now" in the admin):
its mail in the studio's wording, its notices linking into the admin."""

from __future__ import annotations

from datetime import date

from flask import url_for

from core.services import slot_job
from core.services.mail import MailContent
from web.clock import now
from web.extensions import db
from web.formatting import studio
from web.mail import id_domain
from web.mail_wording import compose
from web.waitlist import waitlist_mail


def _compose(result: slot_job.JobResult) -> MailContent:
    """The job's mail in the studio's wording (Mail wording: "Weekly time slot job")."""
    return compose(
        slot_job.MAIL_KIND,
        {
            "studio_name": studio().name,
            "title": slot_job.title(result),
            "details": slot_job.report(result),
        },
    )


def messenger() -> slot_job.Messenger:
    """Needs a request context (the CLI makes one) for the links."""
    return slot_job.Messenger(
        compose=_compose,
        week_link=lambda week: url_for("admin.slots", week=week.isoformat()),
        settings_link=url_for("admin.preferences_timeslots"),
        domain=id_domain(),
        waitlist=waitlist_mail(),
    )


def run_weekly(*, force: bool = False, today: date | None = None) -> slot_job.JobResult:
    """Run the job now on the app's database; `today` defaults to the studio's date."""
    moment = now()
    return slot_job.run_weekly(
        db.session,
        today=today or slot_job.studio_today(db.session, moment),
        now=moment,
        force=force,
        messenger=messenger(),
    )
