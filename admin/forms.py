"""Staff forms: login, service types and their billing, time slots, price list, invoice settings.
They parse input; core services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
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

from core.models import (
    Client,
    PaymentOption,
    PriceCategory,
    PriceListItem,
    ServiceKind,
    ServiceType,
)
from core.services.catalog import SLUG_MAX_LENGTH, BillingSettings, ServiceTypeDetails
from core.services.clients import ClientDetails
from core.services.pricelist import NAME_MAX_LENGTH, PriceItemDetails
from core.services.settings import CHOICE_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, InvoiceDefaults
from web.formatting import studio


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


class ListEntryField(SelectField):
    """An entry of one of the studio's lists, or none; whether it is on offer is the core's rule."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, coerce=_optional_id, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Choose one of the entries offered.") from None


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
    auto_remove_conflicts = BooleanField("Auto-remove conflicting time slots upon booking")
    accepts_promo_codes = BooleanField("Clients may enter a promo code")
    # Entries of the kind's status list; the core service checks them.
    booked_status_id = ListEntryField("Status when booked")
    rescheduled_status_id = ListEntryField("Status when rescheduled")
    cancelled_status_id = ListEntryField("Status when cancelled")

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
            auto_remove_conflicts=bool(self.auto_remove_conflicts.data),
            accepts_promo_codes=bool(self.accepts_promo_codes.data),
            booked_status_id=self.booked_status_id.data,
            rescheduled_status_id=self.rescheduled_status_id.data,
            cancelled_status_id=self.cancelled_status_id.data,
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
            "auto_remove_conflicts": service_type.auto_remove_conflicts,
            "accepts_promo_codes": service_type.accepts_promo_codes,
            "booked_status_id": service_type.booked_status_id,
            "rescheduled_status_id": service_type.rescheduled_status_id,
            "cancelled_status_id": service_type.cancelled_status_id,
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
    organization = ListEntryField("Organization")

    def validate_day(self, field: DateField) -> None:
        if field.data and not 2000 <= field.data.year <= 2999:
            raise ValidationError("Enter a date between the years 2000 and 2999.")

    def duration_for(self, types: list[ServiceType]) -> int:
        """The typed duration, or the longest duration of the chosen types when left blank."""
        if self.duration_minutes.data:
            return int(self.duration_minutes.data)
        chosen = set(self.service_types.data or [])
        return max(t.duration_minutes for t in types if t.id in chosen)


def _in_currency_units(minor_units: int | None) -> Decimal | None:
    """Minor units back in the studio currency's units, for editing (12550 -> 125.50)."""
    if minor_units is None:
        return None
    return Decimal(minor_units).scaleb(-get_currency_precision(studio().currency))


class AmountField(DecimalField):
    """An amount in the studio currency, for example 125.50. How many decimals the currency
    allows, and the range, are checked by the core service (core.services.pricelist.to_amount)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter an amount like 125 or 125.50.") from None
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError("Enter an amount like 125 or 125.50.")


class PriceItemForm(FlaskForm):
    # Format is checked by core.services.pricelist.validate_code, the one place code rules live.
    code = StringField(
        "Item code",
        filters=[_strip],
        validators=[DataRequired("Enter an item code, for example SF-FAMILY.")],
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    name = StringField(
        "Name",
        filters=[_strip],
        validators=[DataRequired("Enter the item’s name."), Length(max=NAME_MAX_LENGTH)],
    )
    category = SelectField(
        "Category",
        choices=[SelectChoice(c.value, c.label) for c in PriceCategory],
        validators=[InputRequired("Choose a category.")],
    )
    price = AmountField(
        "Price",
        validators=[InputRequired("Enter the price, for example 125.50.")],
        render_kw={"inputmode": "decimal"},
    )

    def details(self) -> PriceItemDetails:
        return PriceItemDetails(
            code=self.code.data or "",
            name=self.name.data or "",
            category=PriceCategory(self.category.data),
            price=self.price.data if self.price.data is not None else Decimal(0),
        )

    @staticmethod
    def initial(item: PriceListItem) -> dict[str, Any]:
        return {
            "code": item.code,
            "name": item.name,
            "category": item.category.value,
            "price": _in_currency_units(item.price),
        }


PAYMENT_OPTIONS = {
    "": (
        "No online payment",
        "Clients pay nothing when they book. Choose this when online payment is not required.",
    ),
    PaymentOption.LISTED_AMOUNT.value: (
        "Require invoice payment in listed price",
        "Only available with “Auto-create invoice”. Clients pay the amount below; the payment is "
        "applied to the created invoice. Add a session fee on the price list items below so the "
        "invoice has something to pay.",
    ),
    PaymentOption.FULL_AMOUNT.value: (
        "Require invoice payment in full amount",
        "Only available with “Auto-create invoice”. Clients pay the invoice’s whole total. Use "
        "this when the type is offered with a promotion: a promo code that brings the price below "
        "the listed price lowers what they pay.",
    ),
    PaymentOption.DEPOSIT.value: (
        "Require customer deposit",
        "Creates a customer deposit of the amount below, linked to the client. Staff apply it to "
        "an invoice at a later date.",
    ),
}


class BillingForm(FlaskForm):
    auto_create_invoice = BooleanField("Auto-create invoice")
    online_payment_required = BooleanField("Online payment required")
    payment_option = RadioField(
        "Payment option",
        choices=[SelectChoice(value, label) for value, (label, _) in PAYMENT_OPTIONS.items()],
        default="",
    )
    payment_amount = AmountField(
        "Amount to pay online", validators=[Optional()], render_kw={"inputmode": "decimal"}
    )

    def settings(self) -> BillingSettings:
        option = self.payment_option.data
        return BillingSettings(
            auto_create_invoice=bool(self.auto_create_invoice.data),
            online_payment_required=bool(self.online_payment_required.data),
            payment_option=PaymentOption(option) if option else None,
            payment_amount=self.payment_amount.data,
        )

    @staticmethod
    def initial(service_type: ServiceType) -> dict[str, Any]:
        option = service_type.payment_option
        return {
            "auto_create_invoice": service_type.auto_create_invoice,
            "online_payment_required": service_type.online_payment_required,
            "payment_option": option.value if option else "",
            "payment_amount": _in_currency_units(service_type.payment_amount),
        }


def _row_id(value: Any) -> int:
    """A database id; anything else (text, a number no row could have) is a ValueError."""
    number = int(value)
    if not 0 < number < 2**31:
        raise ValueError("not an id")
    return number


class TypeItemForm(FlaskForm):
    """Add a price list item to a service type's invoices (prefix "add" on the page)."""

    # The core service refuses inactive or unknown items with its own message.
    item = SelectField(
        "Price list item",
        coerce=_row_id,
        validate_choice=False,
        validators=[InputRequired("Choose a price list item.")],
    )
    quantity = IntegerField(
        "Quantity",
        validators=[InputRequired("Enter a quantity, for example 1.")],
        render_kw={"inputmode": "numeric"},
    )


def _row_id_or_none(value: Any) -> int | None:
    try:
        return _row_id(value)
    except (TypeError, ValueError):
        return None


def _chosen_item(form: FlaskForm, field: SelectField) -> None:
    if field.data is None:  # nothing chosen, or something no row could be
        raise ValidationError("Choose a promotional item.")


class PromoItemForm(FlaskForm):
    """Offer a promotional item's code on a service type (prefix "promo" on the billing tab)."""

    # The core service refuses inactive, non-promotional or unknown items with its own message.
    item = SelectField(
        "Promotional item",
        coerce=_row_id_or_none,
        validate_choice=False,
        validators=[_chosen_item],
    )


class QuantityForm(FlaskForm):
    quantity = IntegerField(
        "Quantity", validators=[InputRequired("Enter a quantity, for example 1.")]
    )


class ChoiceNameForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[_strip],
        validators=[DataRequired("Enter a name."), Length(max=CHOICE_MAX_LENGTH)],
    )


def _optional_id(value: Any) -> int | None:
    return None if value in ("", None) else _row_id(value)


class InvoicePreferencesForm(FlaskForm):
    description = StringField(
        "Default description", filters=[_strip], validators=[Length(max=DESCRIPTION_MAX_LENGTH)]
    )
    # Whether a choice is on offer is the core service's rule (a retired saved default may stay).
    status_id = SelectField("Default status", coerce=_optional_id, validate_choice=False)
    classification_id = SelectField(
        "Default classification", coerce=_optional_id, validate_choice=False
    )
    sales_rep_id = SelectField("Default sales rep", coerce=_optional_id, validate_choice=False)
    payment_method_id = SelectField(
        "Default payment method", coerce=_optional_id, validate_choice=False
    )

    def defaults(self) -> InvoiceDefaults:
        return InvoiceDefaults(
            description=self.description.data or "",
            status_id=self.status_id.data,
            classification_id=self.classification_id.data,
            sales_rep_id=self.sales_rep_id.data,
            payment_method_id=self.payment_method_id.data,
        )


# Invoices: several forms share the invoice page, so each has a prefix (unique field ids and
# names). CSRFProtect checks every POST app-wide; the page sends the token as plain `csrf_token`.


class _InvoicePageForm(FlaskForm):
    class Meta:
        csrf = False


def _positive_amount(form: FlaskForm, field: DecimalField) -> None:
    if field.data is not None and field.data <= 0:
        raise ValidationError("Enter an amount greater than zero.")
    if field.data is not None and field.data >= 10**9:
        raise ValidationError("Enter an amount below 1,000,000,000.")


def _money_amount(label: str, required: str) -> AmountField:
    # places=None: shown as stored (125.50, or 1500 in a currency without decimals).
    return AmountField(
        label,
        places=None,
        validators=[InputRequired(required), _positive_amount],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


class ManualPaymentForm(_InvoicePageForm):
    """Money staff received outside the card processor (prefix "payment")."""

    amount = _money_amount("Amount received", "Enter the amount received, for example 125.50.")
    method = SelectField("Payment method", coerce=_optional_id)
    note = TextAreaField(
        "Note", filters=[_strip], validators=[Length(max=2000)], render_kw={"rows": 2}
    )


class ApplyDepositForm(_InvoicePageForm):
    """Apply one of the client's deposits to the invoice (prefix "deposit")."""

    deposit = SelectField(
        "Deposit", coerce=_optional_id, validators=[InputRequired("Choose a deposit.")]
    )
    amount = _money_amount("Amount to apply", "Enter the amount to apply, for example 50.")


class RefundForm(_InvoicePageForm):
    """Refund part or all of one payment (prefix "refund-<payment id>")."""

    amount = _money_amount("Amount to refund", "Enter the amount to refund, for example 25.")
    reason = StringField("Reason", filters=[_strip], validators=[Length(max=500)])


class InvoiceStatusForm(_InvoicePageForm):
    """The invoice's status from the studio's list (prefix "status")."""

    status = SelectField("Status", coerce=_optional_id)


class PromoCodeForm(_InvoicePageForm):
    """Apply a promo code to the invoice's booking, or change its code (prefix "promo"); the
    core service checks the code and says why one does not apply."""

    code = StringField("Promo code")


# Clients (admin): the client's profile. The core service checks the email's format and the
# list entries on offer (a retired current status may stay).


class ClientForm(FlaskForm):
    name = StringField(
        "Name", filters=[_strip], validators=[DataRequired("Enter the client’s name.")]
    )
    email = EmailField(
        "Email",
        filters=[_strip],
        validators=[DataRequired("Enter the client’s email address.")],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    phone = StringField("Phone", filters=[_strip], render_kw={"inputmode": "tel"})
    mobile = StringField("Mobile", filters=[_strip], render_kw={"inputmode": "tel"})
    address = TextAreaField("Address", filters=[_strip], render_kw={"rows": 3})
    texting_consent = BooleanField("May we text you? (texting consent)")
    email_marketing = BooleanField("May we email you marketing material?")
    status_id = ListEntryField("Client status")
    lead_source_id = ListEntryField("Lead source")
    organization_id = ListEntryField("Organization")
    standing_discount = DecimalField(
        "Standing discount %",
        places=None,
        default=Decimal(0),
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message="Enter a percentage from 0 to 100."),
        ],
        render_kw={"inputmode": "decimal"},
    )
    is_member = BooleanField("Member (holds a membership)")

    def details(self) -> ClientDetails:
        return ClientDetails(
            name=self.name.data or "",
            email=self.email.data or "",
            phone=self.phone.data or "",
            mobile=self.mobile.data or "",
            address=self.address.data or "",
            texting_consent=bool(self.texting_consent.data),
            do_not_market=not self.email_marketing.data,
            status_id=self.status_id.data,
            lead_source_id=self.lead_source_id.data,
        )

    @staticmethod
    def initial(client: Client) -> dict[str, Any]:
        return {
            "name": client.name,
            "email": client.email,
            "phone": client.phone,
            "mobile": client.mobile,
            "address": client.address,
            "texting_consent": client.texting_consent,
            "email_marketing": not client.do_not_market,
            "status_id": client.status_id,
            "lead_source_id": client.lead_source_id,
            "organization_id": client.organization_id,
            "standing_discount": Decimal(client.standing_discount).normalize(),
            "is_member": client.is_member,
        }


class TypeImageForm(FlaskForm):
    """A service type's marketing image (seed 002, Online Booking 2 tab); checked by the core."""

    image = FileField("Marketing image", render_kw={"accept": "image/jpeg,image/png"})
