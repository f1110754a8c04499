"""Forms for staff accounts. They parse input; core.services.staff decides."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from core.models import SlotAccess, Staff, StaffRole
from core.services.staff import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, StaffDetails


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class StaffForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[_strip],
        validators=[
            DataRequired("Enter the staff member’s name."),
            Length(max=NAME_MAX_LENGTH, message=f"Keep the name to {NAME_MAX_LENGTH} characters."),
        ],
    )
    email = EmailField(
        "Email",
        filters=[_strip],
        validators=[
            DataRequired("Enter the email address they log in with."),
            Length(max=EMAIL_MAX_LENGTH, message="That email address is too long."),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value, r.label) for r in StaffRole],
        validators=[InputRequired("Choose a role.")],
    )
    slot_access = SelectField(
        "Scheduling time slots",
        coerce=int,
        choices=[SelectChoice(int(level), level.label) for level in SlotAccess],
        validators=[InputRequired("Choose a level for time slots.")],
    )
    preferences_access = SelectField(
        "Preferences – Online Booking",
        choices=[SelectChoice("none", "No access"), SelectChoice("full", "Full access")],
        validators=[InputRequired("Choose a level for the preferences.")],
    )
    active = BooleanField("Active: may log in")

    def details(self) -> StaffDetails:
        return StaffDetails(
            name=self.name.data or "",
            email=self.email.data or "",
            role=StaffRole(self.role.data),
            slot_access=SlotAccess(self.slot_access.data),
            can_edit_preferences=self.preferences_access.data == "full",
            active=bool(self.active.data),
        )

    @staticmethod
    def initial(staff: Staff) -> dict[str, Any]:
        return {
            "name": staff.name,
            "email": staff.email,
            "role": staff.role.value,
            "slot_access": staff.slot_access,
            "preferences_access": "full" if staff.can_edit_preferences else "none",
            "active": staff.active,
        }


class NewStaffForm(StaffForm):
    password = PasswordField(
        "Initial password",
        filters=[lambda value: value or None],
        render_kw={"autocomplete": "new-password"},
    )
