"""Client-facing blueprint: the booking flow studios embed (iframe) or link to."""

from flask import Blueprint

bp = Blueprint(
    "widget",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/widget",
)

from widget import views, views_password  # noqa: E402, F401  (routes register on bp)
