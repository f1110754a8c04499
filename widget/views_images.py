"""Service types' marketing images in the booking pages: `type_image_url(service_type)` in
templates, one query per page however many types are shown."""

from __future__ import annotations

from typing import Any

from flask import g, url_for

from core.models import ServiceType
from core.services.catalog import image_public_ids
from web.extensions import db
from widget import bp


def type_image_url(service_type: ServiceType) -> str | None:
    """The URL of the type's marketing image, or None when it has none."""
    if service_type.image_id is None:
        return None
    if "type_images" not in g:
        g.type_images = image_public_ids(db.session)
    public_id = g.type_images.get(service_type.id)
    return url_for("widget.stored_file", public_id=public_id) if public_id else None


@bp.context_processor
def type_images() -> dict[str, Any]:
    return {"type_image_url": type_image_url}
