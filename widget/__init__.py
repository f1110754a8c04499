"""Client-facing blueprint: the booking flow studios embed (iframe) or link to."""

from flask import Blueprint

bp = Blueprint(
    "widget",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/widget",
)

# Files and the stylesheet look the same in every context (organization link, embedding): their
# URLs carry none of its arguments and stay cacheable.
CONTEXT_FREE_ENDPOINTS = frozenset({"widget.static", "widget.stylesheet", "widget.stored_file"})

from widget import views, views_password  # noqa: E402, F401  (routes register on bp)
