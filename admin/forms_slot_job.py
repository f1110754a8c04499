"""Forms of the Time Slots preferences tab and the location closures page. They parse input;
core.services.slot_job_settings decides."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from core.services.slot_job import WEEKDAYS
from core.services.slot_job_settings import (
    EMAIL_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SlotJobSettings,
)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _id_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


def _week(label: str) -> DateField:
    return DateField(
        label,
        validators=[Optional()],
        format="%Y-%m-%d",
        render_kw={"placeholder": "YYYY-MM-DD"},
    )


class SlotJobForm(FlaskForm):
    enabled = BooleanField("Run the weekly job")
    source_week = _week("Source week (the template)")
    first_week = _week("First week to fill")
    weekday = SelectField(
        "Run the job on",
        choices=[SelectChoice(n, f"{name}s") for n, name in enumerate(WEEKDAYS)],
        coerce=int,
    )
    skip_booked = BooleanField(
        "Do not create a time slot where a session or appointment is already booked"
    )
    skip_closed = BooleanField("Do not create time slots on days the location is closed")
    notify_staff_id = SelectField("Notify on the home screen of", coerce=_id_or_none)
    email = StringField(
        "Email the result to",
        filters=[_strip],
        validators=[Length(max=EMAIL_MAX_LENGTH)],
        render_kw={
            "inputmode": "email",
            "autocomplete": "email",
            "placeholder": "name@example.com",
        },
    )

    def settings(self) -> SlotJobSettings:
        return SlotJobSettings(
            enabled=bool(self.enabled.data),
            source_week=self.source_week.data,
            first_week=self.first_week.data,
            weekday=self.weekday.data,
            skip_booked=bool(self.skip_booked.data),
            skip_closed=bool(self.skip_closed.data),
            notify_staff_id=self.notify_staff_id.data,
            email=self.email.data or "",
        )


class ClosureForm(FlaskForm):
    day = DateField(
        "Closed on",
        validators=[InputRequired("Enter the day, for example 2026-12-25.")],
        format="%Y-%m-%d",
    )
    reason = StringField(
        "Reason (optional)",
        filters=[_strip],
        validators=[Length(max=REASON_MAX_LENGTH)],
        render_kw={"placeholder": "e.g. Christmas Day"},
    )
