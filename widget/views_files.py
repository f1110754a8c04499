"""Uploaded files (the logo, marketing images), served from the database with long cache
headers: a new upload gets a new public id, so a URL's content never changes."""

from __future__ import annotations

from flask import abort, request
from werkzeug.wrappers import Response

from core.services.errors import NotFound
from core.services.files import find_file
from web.extensions import db
from web.sessions import cookie_free
from web.static_files import keep_a_year
from widget import bp

_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}


@bp.get("/files/<public_id>")
@cookie_free
def stored_file(public_id: str) -> Response:
    """One stored file with its content type, cacheable for a year, answered 304 when unchanged."""
    try:
        stored = find_file(db.session, public_id)
    except NotFound as error:
        abort(404, str(error))
    response = Response(stored.data, mimetype=stored.content_type)
    # Shown as the image it is (nosniff comes with every response); saved under a plain name.
    extension = _EXTENSIONS.get(stored.content_type, "bin")
    response.headers["Content-Disposition"] = f'inline; filename="{stored.public_id}.{extension}"'
    response.set_etag(stored.public_id)
    keep_a_year(response)
    return response.make_conditional(request)
