"""Static files at versioned URLs, kept by browsers until they change.

`url_for("<area>.static", filename=...)` adds `?v=` and a digest of the file, so every page names
the scripts and stylesheets it needs by their content. A request naming the file's current digest
is answered `Cache-Control: public, max-age=<a year>, immutable`: the next page, and the next
visit, use the browser's copy without asking (a framed widget on a phone saves a round trip per
file on every page). Any other request for the file (no version, as in the embed snippet studios
paste into their sites, or an old page's version during a deploy) is revalidated by its ETag every
time, as Flask serves static files by default, so a changed file is never pinned under an address.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 60 * 60


@lru_cache(maxsize=256)
def _digest(path: str, modified_ns: int, size: int) -> str:
    # Keyed by modification time and size too: an edit under `flask run` gets a new version.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _static_folder(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    return blueprint.static_folder if blueprint is not None else None


def version(app: Flask, endpoint: str, filename: str) -> str | None:
    """The digest of the file `endpoint` serves as `filename`, or None if there is no such file."""
    folder = _static_folder(app, endpoint)
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def keep_a_year(response: Response) -> None:
    """Let browsers and shared caches use `response` for a year without asking again: for an
    address whose content never changes (it names its version or is an upload's own id)."""
    response.cache_control.no_cache = None
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True


def is_static(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def init_app(app: Flask) -> None:
    @app.url_defaults
    def add_version(endpoint: str, values: dict[str, Any]) -> None:
        if is_static(endpoint) and "v" not in values and isinstance(values.get("filename"), str):
            digest = version(current_app, endpoint, values["filename"])
            if digest is not None:
                values["v"] = digest

    @app.after_request
    def keep_current_versions(response: Response) -> Response:
        if not is_static(request.endpoint) or response.status_code not in (200, 304):
            return response
        asked = request.args.get("v")
        filename = (request.view_args or {}).get("filename")
        if asked and asked == version(current_app, str(request.endpoint), str(filename)):
            keep_a_year(response)
        return response
