"""Mails in the studio's wording (core.services.mail.templates) as the web layer sends them: the
rendered text, and an HTML version made from it in the studio's look (logo, accent colour),
with the kind's action link as a button. Needs an app context (and a request one for links)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from core.services.mail import MailContent, templates
from web.extensions import db
from web.mail import render_mail_html

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
_PARAGRAPH = "margin:0 0 16px 0;"


@dataclass(frozen=True)
class Button:
    url: str
    label: str


def _linked(line: str) -> Markup:
    """One line of text, escaped, its web addresses as links."""
    out, last = Markup(""), 0
    for match in _URL.finditer(line):
        url = match.group(0)
        out += escape(line[last : match.start()])
        out += Markup('<a href="{0}" style="color:#1f2328;word-break:break-all;">{0}</a>').format(
            url
        )
        last = match.end()
    return out + escape(line[last:])


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _as_html(paragraph: str) -> Markup:
    lines = Markup("<br>\n").join(_linked(line) for line in paragraph.splitlines())
    return Markup('<p style="{}">{}</p>').format(_PARAGRAPH, lines)


def text_as_html(text: str) -> Markup:
    """Plain text as HTML paragraphs: blank lines part them, single newlines break lines."""
    return Markup("\n").join(_as_html(p) for p in _paragraphs(text))


def html_body(
    subject: str, text: str, button: Button | None = None, *, session: Session | None = None
) -> str:
    """The HTML version of a rendered mail in the studio's look (read with `session`, the
    request's by default); a paragraph that is only the button's address becomes the button
    (with the address to copy under it)."""
    parts = [
        button if button is not None and p == button.url else _as_html(p) for p in _paragraphs(text)
    ]
    return render_mail_html("wording", subject, session=session, text=text, parts=parts)


def button_for(kind: str, values: Mapping[str, object]) -> Button | None:
    """The kind's action link with these values as a button, if it has one."""
    action = templates.kind_of(kind).action
    url = values.get(action.placeholder) if action else None
    return Button(str(url), action.label) if action and url else None


def compose(kind: str, values: Mapping[str, object]) -> MailContent:
    """The kind's mail in the studio's wording and look, for these values."""
    subject, text = templates.render(db.session, kind, values)
    return MailContent(subject, text, html_body(subject, text, button_for(kind, values)))
