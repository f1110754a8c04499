"""Staff set a service type's remaining online settings (seed 002): auto-remove conflicting time
slots, booked / rescheduled / cancelled statuses from the kind's list, a marketing image shown in
the booking pages; session and appointment types each have their own list."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from core.models import ListKind, ServiceKind, ServiceType
from core.services import settings
from tests.conftest import WebClient
from tests.web.helpers import at, text_of


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def form_of(service_type: ServiceType, **change: Any) -> dict[str, Any]:
    data = {
        "kind": service_type.kind.value,
        "name": service_type.name,
        "slug": service_type.slug,
        "duration_minutes": str(service_type.duration_minutes),
        "online": "y",
    }
    return {**data, **change}


def reread(db_session: Any, service_type: ServiceType) -> ServiceType:
    db_session.expire_all()
    return db_session.get(ServiceType, service_type.id)  # type: ignore[no-any-return]


def url(service_type: ServiceType) -> str:
    return f"/admin/service-types/{service_type.id}"


def test_auto_remove_conflicts_is_saved_and_explained(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type()
    assert "if the booking is cancelled, all three come back" in text_of(
        staff_web.get(url(service_type))
    )

    response = staff_web.post(url(service_type), form_of(service_type, auto_remove_conflicts="y"))

    assert response.status_code == 303
    assert reread(db_session, service_type).auto_remove_conflicts is True


@pytest.mark.parametrize(
    ("kind", "offered", "other"),
    [
        (ServiceKind.SESSION, ListKind.SESSION_STATUS, ListKind.APPOINTMENT_STATUS),
        (ServiceKind.APPOINTMENT, ListKind.APPOINTMENT_STATUS, ListKind.SESSION_STATUS),
    ],
)
def test_statuses_come_from_the_list_of_the_types_kind(
    staff_web: WebClient,
    make: Any,
    db_session: Any,
    kind: ServiceKind,
    offered: ListKind,
    other: ListKind,
) -> None:
    settings.add_choice(db_session, offered, "Mine – online")
    settings.add_choice(db_session, other, "Theirs – online")
    service_type = make.service_type(kind=kind)

    page = text_of(staff_web.get(url(service_type)))

    assert "Mine – online" in page and "Theirs – online" not in page


def test_booked_rescheduled_and_cancelled_statuses_are_saved(
    staff_web: WebClient, make: Any, db_session: Any
) -> None:
    settings.ensure_default_lists(db_session)
    db_session.commit()
    booked, moved, cancelled = settings.list_choices(db_session, ListKind.SESSION_STATUS)
    service_type = make.service_type()

    response = staff_web.post(
        url(service_type),
        form_of(
            service_type,
            booked_status_id=str(booked.id),
            rescheduled_status_id=str(moved.id),
            cancelled_status_id=str(cancelled.id),
        ),
    )

    assert response.status_code == 303
    saved = reread(db_session, service_type)
    assert (saved.booked_status_id, saved.rescheduled_status_id, saved.cancelled_status_id) == (
        booked.id,
        moved.id,
        cancelled.id,
    )


@pytest.mark.parametrize(
    "field", ["booked_status_id", "rescheduled_status_id", "cancelled_status_id"]
)
@pytest.mark.parametrize("value", ["appointment", "999", "abc"])
def test_a_status_not_on_the_kinds_list_is_refused_next_to_its_field(
    staff_web: WebClient, make: Any, db_session: Any, field: str, value: str
) -> None:
    if value == "appointment":
        value = str(settings.add_choice(db_session, ListKind.APPOINTMENT_STATUS, "Appt").id)
    service_type = make.service_type()

    response = staff_web.post(url(service_type), form_of(service_type, **{field: value}))

    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert getattr(reread(db_session, service_type), field) is None


@pytest.mark.parametrize(
    ("list_url", "shown", "hidden", "new_link"),
    [
        ("/admin/service-types", "A session", "An appointment", "kind=session"),
        ("/admin/appointment-types", "An appointment", "A session", "kind=appointment"),
    ],
)
def test_each_kind_has_its_own_list(
    staff_web: WebClient, make: Any, list_url: str, shown: str, hidden: str, new_link: str
) -> None:
    make.service_type(name="A session")
    make.service_type(name="An appointment", kind=ServiceKind.APPOINTMENT)

    response = staff_web.get(list_url)

    assert shown in text_of(response) and hidden not in text_of(response)
    assert f"/admin/service-types/new?{new_link}" in response.get_data(as_text=True)


def test_a_new_appointment_type_has_its_kind_preselected(staff_web: WebClient) -> None:
    html = staff_web.get("/admin/service-types/new?kind=appointment").get_data(as_text=True)

    assert '<option selected value="appointment">' in html
    assert "New appointment type" in html


def test_the_nav_links_both_lists(staff_web: WebClient) -> None:
    html = staff_web.get("/admin/appointment-types").get_data(as_text=True)

    assert 'href="/admin/service-types"' in html
    assert 'href="/admin/appointment-types" aria-current="page"' in html


def test_an_uploaded_image_is_shown_in_the_widget_with_the_online_name(
    staff_web: WebClient, web: WebClient, make: Any, db_session: Any
) -> None:
    service_type = make.service_type(online_name="Family portraits")
    make.slot(at(2026, 12, 3, 15), service_types=[service_type])
    assert "<img" not in web.get("/book").get_data(as_text=True)

    response = staff_web.post(
        f"{url(service_type)}/image",
        {"image": (io.BytesIO(png()), "photo.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 303
    choose, book = web.get("/book"), web.get(f"/book/{service_type.slug}")
    for page in (choose, book):
        assert 'class="type-image' in page.get_data(as_text=True)
        assert 'alt="Family portraits"' in page.get_data(as_text=True)
    image_id = reread(db_session, service_type).image_id
    assert image_id is not None


def test_the_image_is_served(staff_web: WebClient, make: Any, db_session: Any) -> None:
    service_type = make.service_type()
    staff_web.post(
        f"{url(service_type)}/image",
        {"image": (io.BytesIO(png()), "photo.png")},
        content_type="multipart/form-data",
    )
    page = staff_web.get(url(service_type)).get_data(as_text=True)
    src = page.split('class="type-image-preview" src="', 1)[1].split('"', 1)[0]

    served = staff_web.get(src)

    assert (served.status_code, served.mimetype) == (200, "image/png")
    # Stored re-encoded (no metadata, nothing appended): the same picture, not the same bytes.
    original, stored = Image.open(io.BytesIO(png())), Image.open(io.BytesIO(served.data))
    assert stored.size == original.size
    assert stored.convert("RGB").tobytes() == original.convert("RGB").tobytes()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose an image file to upload."),
        (b"GIF89a not really", "We could not read that file as a JPEG or PNG image."),
    ],
)
def test_a_bad_upload_is_refused_next_to_the_field(
    staff_web: WebClient, make: Any, db_session: Any, data: bytes, message: str
) -> None:
    service_type = make.service_type()

    response = staff_web.post(
        f"{url(service_type)}/image",
        {"image": (io.BytesIO(data), "photo.gif")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert message in text_of(response)
    assert reread(db_session, service_type).image_id is None


def test_removing_the_image_takes_it_off_the_widget(
    staff_web: WebClient, web: WebClient, make: Any
) -> None:
    service_type = make.service_type()
    make.slot(at(2026, 12, 3, 15), service_types=[service_type])
    staff_web.post(
        f"{url(service_type)}/image",
        {"image": (io.BytesIO(png()), "photo.png")},
        content_type="multipart/form-data",
    )
    staff_web.get(url(service_type))

    staff_web.post(f"{url(service_type)}/image/remove")

    assert 'class="type-image' not in web.get("/book").get_data(as_text=True)
