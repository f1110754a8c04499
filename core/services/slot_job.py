"""The weekly time slot job (seed 001, Time Slots tab): on its day, copy the source (template)
week into the first week not filled yet, and tell the chosen staff member and email address how
it went.

The copy, the slots and the run's record are one transaction. The run's week is unique in
`slot_job_run`, so a second run at the same moment, on this host or another, fails on that
insert and rolls back its slots with it: nothing is created twice. The job fills at most one
week a day, so a cron line that fires twice, or on two hosts a minute apart, does not fill two
weeks either.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import Location, NoticeKind, OnlinePreferences, SlotJobRun
from core.services import booking_notices
from core.services.booking_notices import Notice
from core.services.errors import BookingError
from core.services.mail import MailContent, queue_mail
from core.services.slot_copy import create_planned, monday_of, plan_copy
from core.services.waitlist import WaitlistMail

MAIL_KIND = "slot_job"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class EmptySourceWeek(BookingError):
    status_code = 400


class Outcome(enum.Enum):
    DONE = "done"
    FAILED = "failed"
    ALREADY_DONE = "already done"
    NOT_TODAY = "not today"
    DISABLED = "disabled"
    NOT_SET_UP = "not set up"


@dataclass(frozen=True)
class JobResult:
    outcome: Outcome
    message: str
    week: date | None = None  # the Monday filled, or tried
    source_week: date | None = None
    created: int = 0
    skipped: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    note: str = ""  # e.g. weeks left out because they had started

    @property
    def failed(self) -> bool:
        return self.outcome is Outcome.FAILED


@dataclass(frozen=True)
class Messenger:
    """How the web layer words the job's mail and where its notices link to."""

    compose: Callable[[JobResult], MailContent] | None = None  # None: plain_mail
    week_link: Callable[[date], str] = lambda week: ""
    settings_link: str = ""
    domain: str = "studiobook.invalid"
    waitlist: WaitlistMail | None = None  # clients waiting for a day the job fills hear of it


def day_label(day: date) -> str:
    """'Dec 14, 2026'."""
    return f"{day:%b} {day.day}, {day.year}"


week_label = day_label  # a week is named by its Monday


def studio_timezone(session: Session) -> ZoneInfo:
    """The first location's timezone (the studio's day), UTC before there is a location."""
    name = session.scalar(select(Location.timezone).order_by(Location.id).limit(1))
    return ZoneInfo(name or "UTC")


def studio_today(session: Session, now: datetime) -> date:
    return now.astimezone(studio_timezone(session)).date()


def run_weekly(
    session: Session,
    *,
    today: date,
    now: datetime,
    force: bool = False,
    messenger: Messenger | None = None,
) -> JobResult:
    """Run the job if it is enabled and today is its day (`force`: whatever the day) and commit.
    Returns what happened; never raises for a failure of the copy, it reports and notifies it."""
    messenger = messenger or Messenger()
    prefs = session.scalar(select(OnlinePreferences).limit(1))
    if prefs is None or not prefs.slot_job_enabled:
        return _nothing(session, Outcome.DISABLED, "The weekly time slot job is turned off.")
    if prefs.slot_job_source_week is None or prefs.slot_job_first_week is None:
        return _nothing(
            session, Outcome.NOT_SET_UP, "The weekly job has no source week or first week yet."
        )
    if not force and today.weekday() != prefs.slot_job_weekday:
        return _nothing(
            session,
            Outcome.NOT_TODAY,
            f"Nothing to do today: the job runs on {WEEKDAYS[prefs.slot_job_weekday]}s.",
        )
    runs = session.execute(select(SlotJobRun.week_start, SlotJobRun.ran_at)).all()
    tz = studio_timezone(session)
    ran_today = [week for week, ran_at in runs if _aware(ran_at).astimezone(tz).date() == today]
    if ran_today:
        return _nothing(
            session,
            Outcome.ALREADY_DONE,
            f"Already done today, for the week of {week_label(max(ran_today))}.",
            week=max(ran_today),
        )
    source = prefs.slot_job_source_week
    week, note = target_week(
        {week for week, _ in runs}, first=prefs.slot_job_first_week, today=today
    )
    skip_booked, skip_closed = prefs.slot_job_skip_booked, prefs.slot_job_skip_closed
    staff_id, email = prefs.slot_job_notify_staff_id, prefs.slot_job_email
    try:
        result = _fill(
            session,
            source,
            week,
            skip_booked=skip_booked,
            skip_closed=skip_closed,
            now=now,
            waitlist=messenger.waitlist,
        )
    except IntegrityError:
        session.rollback()  # another run recorded this week first; its slots are the ones kept
        return JobResult(
            Outcome.ALREADY_DONE,
            f"Already done for the week of {week_label(week)} (by another run just now).",
            week=week,
            source_week=source,
        )
    except Exception as error:
        session.rollback()
        reason = str(error) if isinstance(error, BookingError) else f"unexpected {error!r}"[:300]
        result = JobResult(
            Outcome.FAILED,
            f"Could not create the time slots for the week of {week_label(week)}: {reason}",
            week=week,
            source_week=source,
            note=note,
        )
        _notify(session, result, staff_id, email, messenger, now)  # a fresh transaction
        session.commit()
        return result
    result = replace(result, note=note)
    _notify(session, result, staff_id, email, messenger, now)
    session.commit()
    return result


def _nothing(
    session: Session, outcome: Outcome, message: str, week: date | None = None
) -> JobResult:
    session.rollback()  # end the reading transaction
    return JobResult(outcome, message, week=week)


def target_week(done: set[date], *, first: date, today: date) -> tuple[date, str]:
    """The first Monday from `first` on not in `done`; one that has started by `today` is
    left out for the first one not started, and the note says so."""
    week = monday_of(first)
    while week in done:
        week += timedelta(weeks=1)
    if week > today:
        return week, ""
    missed = week
    week = monday_of(today) + timedelta(weeks=1)
    while week in done:
        week += timedelta(weeks=1)
    return week, (
        f"The week of {week_label(missed)} had already started when the job ran, so the "
        f"job filled the week of {week_label(week)} instead; use the copy tool for any week "
        "it left out."
    )


def _fill(
    session: Session,
    source: date,
    week: date,
    *,
    skip_booked: bool,
    skip_closed: bool,
    now: datetime,
    waitlist: WaitlistMail | None = None,
) -> JobResult:
    """Copy `source` into `week` and record the run, flushed, not committed. Raises
    IntegrityError when the week is recorded already, InvalidCopy, EmptySourceWeek."""
    plan = plan_copy(
        session,
        source_first_day=source,
        source_days=7,
        target_first_days=[week],
        skip_booked=skip_booked,
        skip_closed=skip_closed,
        now=now,
    )
    if not plan.create and not plan.skip:
        raise EmptySourceWeek(f"the source week ({week_label(source)}) has no time slots.")
    created = create_planned(session, plan, waitlist=waitlist, now=now)
    result = JobResult(
        Outcome.DONE,
        f"Created {created.created} time slots for the week of {week_label(week)}"
        f" ({created.skipped} skipped).",
        week=week,
        source_week=source,
        created=created.created,
        skipped=created.skipped,
        skipped_by_reason=created.skipped_by_reason,
    )
    session.add(
        SlotJobRun(
            week_start=week,
            source_week=source,
            created=created.created,
            skipped=created.skipped,
            report=report(result),
            ran_at=now,
        )
    )
    session.flush()  # the unique week: a concurrent run that got here first makes this fail
    return result


def report(result: JobResult) -> str:
    """The result in a few plain lines, for the notice, the run's record and the mail."""
    lines = [result.message]
    if result.source_week and not result.failed:
        lines.append(f"Copied from the week of {week_label(result.source_week)}.")
    for reason, count in sorted(result.skipped_by_reason.items(), key=lambda r: -r[1]):
        lines.append(f"Skipped {count}: {reason}.")
    if result.note:
        lines.append(result.note)
    return "\n".join(lines)


def title(result: JobResult) -> str:
    week = week_label(result.week) if result.week else "the next week"
    if result.failed:
        return f"Weekly time slots failed for the week of {week}"
    return f"Weekly time slots: {result.created} created for the week of {week}"


def plain_mail(result: JobResult) -> MailContent:
    return MailContent(subject=title(result), text=report(result) + "\n")


def _notify(
    session: Session,
    result: JobResult,
    staff_id: int | None,
    email: str,
    messenger: Messenger,
    now: datetime,
) -> None:
    """The notice and the mail, in the session's current transaction."""
    if staff_id is not None:  # as their notice settings say: screen, email copy, both
        link = messenger.settings_link
        if not result.failed and result.week:
            link = messenger.week_link(result.week) or link
        notice = Notice(NoticeKind.SLOT_JOB, title(result), report(result), link, result.failed)
        booking_notices.notify(
            session, notice, now=now, only=(staff_id,), mailed_already=(email,) if email else ()
        )
    if email:
        compose = messenger.compose or plain_mail
        queue_mail(
            session,
            kind=MAIL_KIND,
            to=email,
            content=compose(result),
            now=now,
            domain=messenger.domain,
        )


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
