"""Forms for the bulk create/copy tool: copy a week or a day, or create slots from a pattern.
They parse input and name the days; core.services.slot_copy plans and decides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    TimeField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from admin.forms import CheckboxesField
from core.models import MAX_SLOT_MINUTES, ServiceType
from core.services.slot_copy import MAX_WEEKS, monday_of

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _in_range(form: FlaskForm, field: DateField) -> None:
    if field.data and not 2000 <= field.data.year <= 2999:
        raise ValidationError("Enter a date between the years 2000 and 2999.")


def _some(message: str) -> Callable[[FlaskForm, Field], None]:
    # Not DataRequired: its `required` flag would mark every single checkbox as required.
    def check(form: FlaskForm, field: Field) -> None:
        if not field.data:
            raise ValidationError(message)

    return check


class _SkipOptions:
    skip_booked = BooleanField(
        "Skip times when a session or appointment is booked on the resource", default=True
    )
    skip_closed = BooleanField("Skip days the location is closed", default=True)


class CopyForm(_SkipOptions, FlaskForm):
    what = RadioField(
        "Copy",
        choices=[SelectChoice("week", "A whole week"), SelectChoice("day", "One day")],
        default="week",
        validators=[InputRequired("Choose a week or one day.")],
    )
    source = DateField(
        "Copy from", validators=[InputRequired("Enter the day to copy from."), _in_range]
    )
    locations = CheckboxesField(
        "Locations", coerce=int, validators=[_some("Choose at least one location.")]
    )
    target = DateField(
        "Copy to, starting",
        validators=[InputRequired("Enter the first day to copy to."), _in_range],
    )
    count = IntegerField(
        "How many copies",
        default=1,
        validators=[
            InputRequired("Enter how many weeks or days to copy to."),
            NumberRange(1, MAX_WEEKS, f"Enter 1 to {MAX_WEEKS}."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    every = RadioField(
        "One day is copied to",
        choices=[
            SelectChoice("week", "The same weekday, week after week"),
            SelectChoice("day", "Day after day"),
        ],
        default="week",
        validators=[InputRequired("Choose how a day is repeated.")],
    )

    def source_first_day(self) -> date:
        """The first day copied: the source's Monday for a week, else the day itself."""
        return monday_of(self.source.data) if self.what.data == "week" else self.source.data

    def source_days(self) -> int:
        return 7 if self.what.data == "week" else 1

    def target_first_days(self) -> list[date]:
        """The first day of each copy: consecutive Mondays for a week; days or weeks for a day."""
        first, count = self.target.data, self.count.data
        if self.what.data == "week":
            return [monday_of(first) + timedelta(weeks=n) for n in range(count)]
        step = timedelta(weeks=1) if self.every.data == "week" else timedelta(days=1)
        return [first + step * n for n in range(count)]


class PatternForm(_SkipOptions, FlaskForm):
    resource = SelectField("Resource", coerce=int, validators=[InputRequired("Choose a resource.")])
    first_day = DateField(
        "First day", validators=[InputRequired("Enter the first day."), _in_range]
    )
    last_day = DateField("Last day", validators=[InputRequired("Enter the last day."), _in_range])
    weekdays = CheckboxesField(
        "Days of the week",
        coerce=int,
        choices=[SelectChoice(n, name) for n, name in enumerate(WEEKDAYS)],
        validators=[_some("Choose at least one day of the week.")],
    )
    from_time = TimeField("From", validators=[InputRequired("Enter the first start, e.g. 09:00.")])
    to_time = TimeField("Until", validators=[InputRequired("Enter when the last slot ends.")])
    every_minutes = IntegerField(
        "A slot starts every (minutes)",
        default=60,
        validators=[
            InputRequired("Enter how many minutes apart slots start."),
            NumberRange(5, 24 * 60, "Enter 5 to 1440 minutes."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[
            Optional(),
            NumberRange(
                5, MAX_SLOT_MINUTES, f"Enter 5 to {MAX_SLOT_MINUTES} minutes, or leave it blank."
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    service_types = CheckboxesField(
        "Session types offered in these slots",
        coerce=int,
        validators=[_some("Choose at least one session or appointment type.")],
    )
    overridable = BooleanField(
        "Overridable (staff who may modify overridable slots can change them)"
    )

    def validate_last_day(self, field: DateField) -> None:
        if field.data and self.first_day.data and field.data < self.first_day.data:
            raise ValidationError("The last day is before the first day.")

    def validate_to_time(self, field: TimeField) -> None:
        if field.data and self.from_time.data and field.data <= self.from_time.data:
            raise ValidationError("End after the first start time.")

    def duration_for(self, types: list[ServiceType]) -> int:
        """The typed duration, else the duration of the first chosen type (in the list's order)."""
        if self.duration_minutes.data:
            return int(self.duration_minutes.data)
        chosen = set(self.service_types.data or [])
        return next(t.duration_minutes for t in types if t.id in chosen)
