"""The calendar's slot forms: a new slot, moving one, and changing the rest of its details."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, TimeField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from admin.forms import CheckboxesField, ListEntryField, SlotForm, _at_least_one
from core.models import MAX_SLOT_MINUTES, Location, Organization, ServiceType

OVERRIDABLE_HELP = (
    "Staff with “Modify overridable” access to time slots may then edit, move and delete it."
)


class NewSlotForm(SlotForm):
    overridable = BooleanField("Overridable")


class MoveSlotForm(FlaskForm):
    day = DateField("Date", validators=[InputRequired("Enter the date, for example 2026-07-15.")])
    start_time = TimeField(
        "Start time", validators=[InputRequired("Enter the start time, for example 10:00.")]
    )

    def validate_day(self, field: DateField) -> None:
        if field.data and not 2000 <= field.data.year <= 2999:
            raise ValidationError("Enter a date between the years 2000 and 2999.")


class SlotDetailsForm(FlaskForm):
    """Everything about a slot but its day and time (moving it is MoveSlotForm)."""

    resource = SelectField("Resource", coerce=int, validators=[InputRequired("Choose a resource.")])
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[
            InputRequired("Enter the duration in minutes."),
            NumberRange(1, MAX_SLOT_MINUTES, f"Enter 1 to {MAX_SLOT_MINUTES} minutes."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    service_types = CheckboxesField(
        "Session types offered in this slot", coerce=int, validators=[_at_least_one]
    )
    organization = ListEntryField("Organization")
    overridable = BooleanField("Overridable")


def offer_choices(
    form: NewSlotForm | SlotDetailsForm,
    location: Location,
    service_types: Sequence[ServiceType],
    organizations: Sequence[Organization],
) -> None:
    """The choices a slot form offers at `location`: its resources, every type, the
    organizations (or none: a public slot)."""
    form.resource.choices = [SelectChoice(r.id, r.name) for r in location.resources]
    form.service_types.choices = [
        SelectChoice(t.id, f"{t.public_name} ({t.name}, {t.duration_minutes} min)")
        for t in service_types
    ]
    form.organization.choices = [SelectChoice("", "None: a public time slot")] + [
        SelectChoice(str(o.id), o.name) for o in organizations
    ]
