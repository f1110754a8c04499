"""Helpers for web tests: arranging a bookable studio, counting queries, reading pages."""

from __future__ import annotations

import html as html_lib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from tests.factories import PASSWORD


def text_of(response: Any) -> str:
    """The visible text of an HTML response, whitespace folded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def slot_ids(response: Any) -> list[int]:
    return [
        int(i) for i in re.findall(r'name="slot_id" value="(\d+)"', response.get_data(as_text=True))
    ]


@contextmanager
def count_queries(engine: Any) -> Iterator[list[str]]:
    """The statements this thread sends (the request's; not the mail sender's, which wakes
    up after the commit in a thread of its own)."""
    statements: list[str] = []
    me = threading.get_ident()

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.get_ident() == me:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def log_in_client(web: Any, client: Any) -> Any:
    return web.post("/login", {"email": client.email, "password": PASSWORD})


def assets_of(response: Any) -> tuple[list[str], list[str]]:
    """The stylesheets and scripts an HTML page names (its first load), in order."""
    page = response.get_data(as_text=True)
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', page)
    return [html_lib.unescape(url) for url in stylesheets], scripts


def stylesheet_url(web: Any, page: str = "/book") -> str:
    """The one stylesheet a widget page names."""
    [url] = assets_of(web.get(page))[0]
    return url
