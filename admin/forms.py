"""Staff forms: login, service types, time slots. They parse input; core services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core.models import ServiceKind, ServiceType
from core.services.catalog import SLUG_MAX_LENGTH, ServiceTypeDetails


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[_strip],
        # No format check: a login only has to match an account (and .test domains are real here).
        validators=[DataRequired("Enter your email address.")],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )


class PriceField(DecimalField):
    """An amount in currency units, for example 125.50; at most two decimals."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a price like 125 or 125.50.") from None
        if self.data is not None:
            if not self.data.is_finite():
                self.data = None
                raise ValueError("Enter a price like 125 or 125.50.")
            if abs(self.data) < 10**9 and self.data != self.data.quantize(Decimal("0.01")):
                raise ValueError("Use at most two decimals, for example 125.50.")


class ServiceTypeForm(FlaskForm):
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, kind.value.capitalize()) for kind in ServiceKind],
        validators=[InputRequired("Choose session or appointment.")],
    )
    name = StringField(
        "Internal name",
        filters=[_strip],
        validators=[DataRequired("Enter an internal name."), Length(max=120)],
    )
    online = BooleanField("Offered online")
    online_name = StringField("Online name", filters=[_strip], validators=[Length(max=120)])
    marketing_description = TextAreaField(
        "Marketing description", filters=[_strip], render_kw={"rows": 4}
    )
    # Format is checked by core.services.catalog.validate_slug, the one place slug rules live.
    slug = StringField(
        "Slug",
        filters=[_strip],
        validators=[DataRequired("Enter a slug."), Length(max=SLUG_MAX_LENGTH)],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[
            InputRequired("Enter the duration in minutes."),
            NumberRange(1, 24 * 60, "Enter a duration between 1 and 1440 minutes."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    display_price = PriceField(
        "Display price",
        places=2,
        validators=[Optional(), NumberRange(0, 1_000_000, "Enter a price from 0 to 1,000,000.")],
        render_kw={"inputmode": "decimal"},
    )
    location_address = TextAreaField("Location address", filters=[_strip], render_kw={"rows": 2})

    def details(self) -> ServiceTypeDetails:
        """The submitted values as the core service takes them (price in cents)."""
        price = self.display_price.data
        return ServiceTypeDetails(
            kind=ServiceKind(self.kind.data),
            name=self.name.data or "",
            slug=self.slug.data or "",
            duration_minutes=self.duration_minutes.data or 0,
            online=bool(self.online.data),
            online_name=self.online_name.data or "",
            marketing_description=self.marketing_description.data or "",
            display_price=None if price is None else int(price.scaleb(2)),
            location_address=self.location_address.data or "",
        )

    @staticmethod
    def initial(service_type: ServiceType) -> dict[str, Any]:
        """Form data for editing `service_type` (price back in currency units)."""
        price = service_type.display_price
        return {
            "kind": service_type.kind.value,
            "name": service_type.name,
            "online": service_type.online,
            "online_name": service_type.online_name,
            "marketing_description": service_type.marketing_description,
            "slug": service_type.slug,
            "duration_minutes": service_type.duration_minutes,
            "display_price": None if price is None else Decimal(price).scaleb(-2),
            "location_address": service_type.location_address,
        }


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes, one per choice (rendered inside a fieldset by the template)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _at_least_one(form: FlaskForm, field: SelectMultipleField) -> None:
    # Not DataRequired: its `required` flag would mark every single checkbox as required.
    if not field.data:
        raise ValidationError("Choose at least one session or appointment type.")


class SlotForm(FlaskForm):
    resource = SelectField("Resource", coerce=int, validators=[InputRequired("Choose a resource.")])
    day = DateField("Date", validators=[InputRequired("Enter the date, for example 2026-07-15.")])
    start_time = TimeField(
        "Start time", validators=[InputRequired("Enter the start time, for example 10:00.")]
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[
            Optional(),
            NumberRange(1, 24 * 60, "Enter 1 to 1440 minutes, or leave it blank."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    service_types = CheckboxesField(
        "Session types offered in this slot",
        coerce=int,
        validators=[_at_least_one],
    )

    def validate_day(self, field: DateField) -> None:
        if field.data and not 2000 <= field.data.year <= 2999:
            raise ValidationError("Enter a date between the years 2000 and 2999.")

    def duration_for(self, types: list[ServiceType]) -> int:
        """The typed duration, or the longest duration of the chosen types when left blank."""
        if self.duration_minutes.data:
            return int(self.duration_minutes.data)
        chosen = set(self.service_types.data or [])
        return max(t.duration_minutes for t in types if t.id in chosen)
