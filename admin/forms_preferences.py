"""Forms for the Online booking preferences tabs. They parse input; core.services.preferences
decides."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from core.models import BookingStyle, FieldMode, Location, LoginPattern
from core.rules.embedding import MAX_ORIGIN_LENGTH, MAX_ORIGINS
from core.services.preferences import (
    DESCRIPTION_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    URL_MAX_LENGTH,
    ClientSettings,
    Colours,
    KindSettings,
)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _id_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


MODE_CHOICES = [
    SelectChoice(FieldMode.HIDDEN.value, "Hidden"),
    SelectChoice(FieldMode.OPTIONAL.value, "Optional"),
    SelectChoice(FieldMode.REQUIRED.value, "Required"),
]


def _mode(label: str) -> RadioField:
    return RadioField(label, choices=MODE_CHOICES, coerce=FieldMode)


class ActivationForm(FlaskForm):
    active = BooleanField("Activate online booking")


class FrameAncestorsForm(FlaskForm):
    """The sites allowed to show the widget in an iframe, one per line (core checks each)."""

    frame_ancestors = TextAreaField(
        "Sites allowed to show the booking widget",
        validators=[Length(max=MAX_ORIGINS * (MAX_ORIGIN_LENGTH + 2))],
        render_kw={
            "rows": 3,
            "spellcheck": "false",
            "autocapitalize": "off",
            "placeholder": "https://www.yourstudio.com",
        },
    )


class GeneralForm(FlaskForm):
    style = RadioField(
        "Online booking style",
        choices=[
            SelectChoice(
                BookingStyle.IFRAME.value, "iFrame: the booking pages sit inside your website"
            ),
            SelectChoice(BookingStyle.LINK.value, "Link: your website links to our booking pages"),
        ],
        coerce=BookingStyle,
    )
    redirect_url = StringField(
        "Redirect URL (your website)",
        filters=[_strip],
        validators=[Length(max=URL_MAX_LENGTH)],
        render_kw={"inputmode": "url", "placeholder": "https://www.yourstudio.com/"},
    )
    login_pattern = RadioField(
        "Default username and password for existing clients",
        choices=[
            SelectChoice(
                LoginPattern.EMAIL_AND_PHONE.value, "Username: email · Password: phone number"
            ),
            SelectChoice(
                LoginPattern.EMAIL_AND_RANDOM.value, "Username: email · Password: generated"
            ),
        ],
        coerce=LoginPattern,
    )
    reminder_hours = IntegerField(
        "Reminder, hours before",
        validators=[Optional()],
        render_kw={"inputmode": "numeric", "min": 1, "max": 720},
    )

    def display_names(self) -> dict[int, str]:
        return {
            int(name.removeprefix("location_")): f.data or ""
            for name, f in self._fields.items()
            if name.startswith("location_")
        }


def general_form(locations: list[Location], **kwargs: Any) -> GeneralForm:
    """The General form with one display-name field per location."""

    class WithLocations(GeneralForm):
        pass

    for location in locations:
        setattr(
            WithLocations,
            f"location_{location.id}",
            StringField(
                f"Display name of {location.name}",
                filters=[_strip],
                validators=[Length(max=DISPLAY_NAME_MAX_LENGTH)],
                default=location.display_name,
            ),
        )
    return WithLocations(**kwargs)


class LogoForm(FlaskForm):
    show_logo = BooleanField("Show the logo on top of each page")
    upload = FileField("Upload a new logo")
    remove = BooleanField("Remove the logo")


class ClientsForm(FlaskForm):
    disable_new_accounts = BooleanField("Disable new account creation online")
    new_client_status_id = SelectField("Client status", coerce=_id_or_none)
    new_client_lead_source_id = SelectField("Lead source", coerce=_id_or_none)
    ask_lead_source = BooleanField("Ask “How did you hear about us?”")
    phone_mode = _mode("Phone")
    mobile_mode = _mode("Mobile phone")
    address_mode = _mode("Address")
    texting_consent_mode = _mode("May we text you?")
    marketing_consent_mode = _mode("May we email you marketing material?")

    def settings(self) -> ClientSettings:
        return ClientSettings(
            **{name: self[name].data for name in ClientSettings.__dataclass_fields__}
        )


def _hours(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(0, 8760, "Enter a number of hours from 0 to 8760, or leave it blank."),
        ],
        render_kw={"inputmode": "numeric", "min": "0", "max": "8760"},
    )


class KindForm(FlaskForm):
    default_description = TextAreaField(
        "Default description",
        filters=[_strip],
        validators=[Length(max=DESCRIPTION_MAX_LENGTH)],
        render_kw={"rows": 2},
    )
    default_booker_id = SelectField("Default booker", coerce=_id_or_none)
    notes_mode = _mode("Notes")
    # Hidden or Optional only: a client without a code must still be able to book.
    promo_code_mode = RadioField("Promo code", choices=MODE_CHOICES[:2], coerce=FieldMode)
    notice_book_hours = _hours("Minimum notice to book (hours)")
    notice_reschedule_hours = _hours("Minimum notice to reschedule (hours)")
    notice_cancel_hours = _hours("Minimum notice to cancel (hours)")
    ask_booking_reason = BooleanField("Ask “Why are you booking?”")

    def settings(self) -> KindSettings:
        def minutes(hours: int | None) -> int | None:
            return None if hours is None else hours * 60

        return KindSettings(
            default_description=self.default_description.data or "",
            default_booker_id=self.default_booker_id.data,
            notes_mode=self.notes_mode.data,
            promo_code_mode=self.promo_code_mode.data,
            notice_book_minutes=minutes(self.notice_book_hours.data),
            notice_reschedule_minutes=minutes(self.notice_reschedule_hours.data),
            notice_cancel_minutes=minutes(self.notice_cancel_hours.data),
            ask_booking_reason=self.ask_booking_reason.data,
        )


def _colour(label: str) -> StringField:
    return StringField(
        label,
        filters=[_strip],
        validators=[Length(max=7, message="Enter # and six hex digits, for example #1a73e8.")],
        render_kw={"placeholder": "default", "maxlength": "7", "spellcheck": "false"},
    )


class ColoursForm(FlaskForm):
    accent = _colour("Accent (buttons, links, chosen day)")
    background = _colour("Background")
    text = _colour("Text")

    def colours(self) -> Colours:
        return Colours(self.accent.data or "", self.background.data or "", self.text.data or "")
