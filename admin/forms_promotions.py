"""Forms for promotions, their codes and the preview. They parse input;
core.services.promotion_admin decides what is valid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from admin.forms import AmountField, CheckboxesField
from core.models import ApplyTo, DiscountKind, PriceCategory, Promotion, PromotionChannel
from core.services.promotion_admin import COPIED_FIELDS, MAX_REQUIREMENTS

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CATEGORY_CHOICES = [
    SelectChoice(c.value, c.value.replace("_", " ").capitalize() + "s") for c in PriceCategory
]
REQUIREMENT_CHOICES = [
    SelectChoice("", "No requirement"),
    SelectChoice("items", "Number of qualified items"),
    SelectChoice("identical_items", "Number of identical qualified items"),
    SelectChoice("value", "Value of qualified items"),
]
DISCOUNT_CHOICES = [
    SelectChoice(DiscountKind.PERCENT.value, "Percent off"),
    SelectChoice(DiscountKind.AMOUNT.value, "Amount off"),
    SelectChoice(DiscountKind.FREE.value, "Free"),
    SelectChoice(DiscountKind.SET_PRICE.value, "Set price"),
]
APPLY_TO_CHOICES = [
    SelectChoice(ApplyTo.CRITERIA_ITEMS.value, "The qualified items together"),
    SelectChoice(ApplyTo.EACH_ITEM.value, "Each qualified item"),
    SelectChoice(ApplyTo.OTHER_ITEMS.value, "Different qualified items (chosen below)"),
]
CHANNEL_CHOICES = [
    SelectChoice(PromotionChannel.ANYWHERE.value, "Online and in the studio"),
    SelectChoice(PromotionChannel.ONLINE.value, "Online bookings only"),
    SelectChoice(PromotionChannel.STUDIO.value, "In the studio only"),
]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _day(label: str) -> DateField:
    return DateField(label, validators=[Optional()], format="%Y-%m-%d")


def _time(label: str) -> TimeField:
    return TimeField(label, validators=[Optional()])


def _whole(label: str, message: str) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(min=1, message=message)])


class RequirementForm(Form):
    kind = SelectField("Requirement", choices=REQUIREMENT_CHOICES, default="")
    minimum = DecimalField(
        "Must purchase",
        validators=[Optional(), NumberRange(min=0, message="Enter 1 or more.")],
        render_kw={"inputmode": "decimal"},
    )
    categories = CheckboxesField("Qualified categories", choices=CATEGORY_CHOICES)
    items = SelectMultipleField("Qualified price list items", coerce=int)


class PromotionForm(FlaskForm):
    # General
    name = StringField("Name", filters=[_strip], validators=[InputRequired("Enter a name.")])
    description = TextAreaField("Description (staff only)", render_kw={"rows": 2})
    active = BooleanField("Active")
    auto_apply = BooleanField("Apply automatically (no code)")
    code = StringField(
        "Promotion code",
        filters=[_strip],
        render_kw={"spellcheck": "false", "autocapitalize": "characters", "maxlength": "40"},
    )
    external_id = StringField(
        "Barcode / external id",
        filters=[_strip],
        render_kw={"spellcheck": "false", "maxlength": "40"},
    )
    # Validity
    redeem_first_day = _day("Booked from")
    redeem_from_time = _time("at")
    redeem_last_day = _day("Booked until")
    redeem_until_time = _time("until")
    appointment_first_day = _day("Appointments from")
    appointment_from_time = _time("at")
    appointment_last_day = _day("Appointments until")
    appointment_until_time = _time("until")
    hours_start = _time("Happy hours from")
    hours_end = _time("to")
    weekdays = CheckboxesField(
        "Days of the week",
        coerce=int,
        choices=[SelectChoice(i, day) for i, day in enumerate(WEEKDAYS)],
    )
    service_type_ids = CheckboxesField("Session and appointment types", coerce=int)
    resource_ids = CheckboxesField("Resources", coerce=int)
    location_ids = CheckboxesField("Locations", coerce=int)
    # Restrictions
    max_uses = _whole("Can be used N times", "Enter at least 1, or leave it blank.")
    once = BooleanField("Once: in one booking only (all its repeats included)")
    once_per_client = BooleanField("One use per client")
    first_appointment_only = BooleanField("First appointment only")
    new_clients_only = BooleanField("New clients only")
    membership_required = BooleanField("Membership required")
    one_use_per_booking = BooleanField("One code per booking")
    combinable = BooleanField("Can be used with other promotions")
    channel = RadioField("Where it can be used", choices=CHANNEL_CHOICES, default="anywhere")
    # Criteria and benefit
    requirements = FieldList(
        FormField(RequirementForm), min_entries=MAX_REQUIREMENTS, max_entries=MAX_REQUIREMENTS
    )
    discount_kind = RadioField("Benefit", choices=DISCOUNT_CHOICES, default="percent")
    percent = DecimalField(
        "Percentage",
        places=None,
        validators=[Optional(), NumberRange(min=0, max=100, message="Enter 0 to 100.")],
        render_kw={"inputmode": "decimal"},
    )
    amount = AmountField("Amount off, or the set price", validators=[Optional()])
    apply_to = RadioField("Apply to", choices=APPLY_TO_CHOICES, default="criteria_items")
    up_to = _whole("Up to N items", "Enter at least 1 item, or leave it blank.")
    benefit_categories = CheckboxesField("Benefit categories", choices=CATEGORY_CHOICES)
    benefit_items = SelectMultipleField("Benefit price list items", coerce=int)

    @staticmethod
    def defaults() -> dict[str, Any]:
        return {
            "active": True,
            "combinable": True,
            "discount_kind": "percent",
            "percent": Decimal(10),
            "apply_to": "criteria_items",
            "channel": "anywhere",
        }

    @staticmethod
    def initial(p: Promotion, code: str, minor: Any) -> dict[str, Any]:
        """The form's values for a promotion; `minor` turns minor units into currency units."""
        data = {name: getattr(p, name) for name in _COPIED}
        data.update(
            code=code,
            weekdays=[int(d) for d in p.weekdays],
            service_type_ids=[t.id for t in p.service_types],
            resource_ids=[r.id for r in p.resources],
            location_ids=[loc.id for loc in p.locations],
            channel=p.channel.value,
            discount_kind=p.discount_kind.value,
            apply_to=p.apply_to.value,
            percent=Decimal(p.percent).normalize(),
            amount=minor(p.amount),
            benefit_categories=[q.category.value for q in p.benefit_qualifiers if q.category],
            benefit_items=[q.item_id for q in p.benefit_qualifiers if q.item_id],
        )
        requirements = []
        for r in p.requirements:
            value = r.kind.value == "value"
            requirements.append(
                {
                    "kind": r.kind.value,
                    "minimum": minor(r.minimum) if value else r.minimum,
                    "categories": [q.category.value for q in r.qualifiers if q.category],
                    "items": [q.item_id for q in r.qualifiers if q.item_id],
                }
            )
        data["requirements"] = requirements + [{}] * (MAX_REQUIREMENTS - len(requirements))
        return data


_COPIED = ("name", "description", "external_id", *COPIED_FIELDS)


class CodesForm(FlaskForm):
    codes = TextAreaField(
        "Codes to add, one per line",
        validators=[InputRequired("Paste at least one code.")],
        render_kw={"rows": 6, "spellcheck": "false", "autocapitalize": "characters"},
    )


class GenerateForm(FlaskForm):
    count = IntegerField(
        "How many single-use codes",
        default=10,
        validators=[
            InputRequired("Enter how many codes to make."),
            NumberRange(min=1, max=10_000, message="Generate between 1 and 10,000 codes."),
        ],
    )


def _ticked(form: FlaskForm, field: BooleanField) -> None:
    if not field.data:
        raise ValidationError("Tick the box to confirm.")


class MassDeleteForm(FlaskForm):
    which = RadioField(
        "Which codes",
        choices=[
            SelectChoice("used", "Only the codes used at least once"),
            SelectChoice("all", "All the codes"),
        ],
        default="used",
        validators=[InputRequired("Choose which codes to delete.")],
    )
    confirm = BooleanField(
        "Yes, delete them: bookings made with them keep their discount", validators=[_ticked]
    )


class OrderForm(FlaskForm):
    highest_first = BooleanField("Apply promotions in order of highest to lowest item cost")


class DeleteForm(FlaskForm):
    confirm = BooleanField("Yes, delete this promotion and its codes", validators=[_ticked])


class PreviewForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that changes nothing

    service_type = SelectField(
        "Session or appointment type", coerce=int, validators=[InputRequired("Choose a type.")]
    )
    location = SelectField("Location", coerce=int, validators=[InputRequired("Choose one.")])
    day = DateField("Appointment date", validators=[InputRequired("Enter a date.")])
    start_time = TimeField("Start time", validators=[InputRequired("Enter a time.")])
    client = SelectField("Client", coerce=int, default=0)
    code = StringField("Promo code typed (optional)", filters=[_strip])
    online = BooleanField("Booked online by the client", default=True)
