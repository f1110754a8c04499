"""Staff admin blueprint: configuration, time slots, bookings. Never frameable."""

from flask import Blueprint

bp = Blueprint(
    "admin",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

from admin import idle, views, views_slot_copy, views_waitlist  # noqa: E402, F401  (routes register on bp)
