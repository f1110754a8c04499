"""What every request's form must be before any view reads it: no NUL characters (PostgreSQL
cannot store them in text), and files only under the names of the upload fields. A request that
breaks either is refused with a 400 and a message, before anything is written."""

from __future__ import annotations

from flask import Flask, abort, request

# The FileField names of the forms (admin/forms.py, admin/forms_preferences.py). A file sent
# under any other name would reach a text field as a file object.
UPLOAD_FIELDS = frozenset({"image", "upload"})

# Row ids are 32-bit integers in every table: a larger number names no row (and PostgreSQL
# refuses it as a parameter, SQLite one past 64 bits).
MAX_ROW_ID = 2**31 - 1

NUL_REFUSED = "The form contained a character that cannot be saved (NUL). Please remove it."
FILE_REFUSED = "This field takes text, not a file. Please type the value instead."


def check_form_input() -> None:
    """Refuse (400) a NUL character in the path, the query or a field (name or value), or a
    file sent under a name that is not an upload field."""
    if "\x00" in request.path:
        abort(400, NUL_REFUSED)
    for data in (request.args, request.form):
        for name, values in data.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                abort(400, NUL_REFUSED)
    for name, upload in request.files.items(multi=True):
        if name not in UPLOAD_FIELDS:
            abort(400, FILE_REFUSED)
        if "\x00" in (upload.filename or ""):
            abort(400, NUL_REFUSED)


def init_app(app: Flask) -> None:
    app.before_request(check_form_input)


def row_id(text: str) -> int:
    """A query value as a row id, for `request.args.get(name, type=row_id)`: a number no row
    could have raises ValueError, so the argument reads as absent."""
    number = int(text)
    if not 1 <= number <= MAX_ROW_ID:
        raise ValueError(f"{text} is not a row id")
    return number
