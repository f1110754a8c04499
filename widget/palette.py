"""The widget's colours from the studio's three choices, each text colour kept at WCAG AA (4.5:1)
on every surface it sits on: the accent's own text, links and times in the accent, body text and
muted text. A studio's colour is used as chosen when it is readable, else the nearest readable
shade of it; a dark background gets dark cards, so one text colour fits both."""

from __future__ import annotations

from core.rules.contrast import (
    DEFAULT_ACCENT,
    DEFAULT_BACKGROUND,
    DEFAULT_TEXT,
    WHITE,
    mix,
    readable_on,
    readable_text_on,
)

# The defaults of widget.css's :root.
DEFAULTS = {
    "--sb-accent": DEFAULT_ACCENT,
    "--sb-accent-text": "#ffffff",
    "--sb-accent-soft": "#e4efef",
    "--sb-accent-link": "#2f5d62",
    "--sb-bg": DEFAULT_BACKGROUND,
    "--sb-surface": "#ffffff",
    "--sb-border": "#d9dcdf",
    "--sb-text": DEFAULT_TEXT,
    "--sb-muted": "#5c636b",
}


def tint(colour: str, amount: float = 0.86) -> str:
    """`colour` mixed with white (`amount` of white): the pale fill behind available days."""
    return mix(colour, WHITE, amount)


def palette(accent: str | None, background: str | None, text: str | None) -> dict[str, str]:
    """CSS variables for the studio's colours ("#rrggbb" or None for the default); none at all
    when the studio chose none (widget.css's defaults stand)."""
    if accent is None and background is None and text is None:
        return {}
    accent_ = accent or DEFAULTS["--sb-accent"]
    bg = background or DEFAULTS["--sb-bg"]
    ink = readable_text_on(bg)  # black on a light background, white on a dark one
    text_, muted = text or DEFAULTS["--sb-text"], DEFAULTS["--sb-muted"]
    if ink == WHITE:
        text_, muted = text or "#eef0f2", "#b4bac0"  # light greys on dark cards
        surface = readable_on(mix(bg, WHITE, 0.06), [ink])
        border = mix(bg, WHITE, 0.25)
        soft = readable_on(mix(bg, accent_, 0.3), [ink])
    else:
        surface, border = DEFAULTS["--sb-surface"], DEFAULTS["--sb-border"]
        soft = readable_on(tint(accent_), [ink])
    grounds = [bg, surface]
    return {
        "--sb-accent": accent_,
        "--sb-accent-text": readable_text_on(accent_),
        "--sb-accent-soft": soft,
        "--sb-accent-link": readable_on(accent_, [*grounds, soft]),
        "--sb-bg": bg,
        "--sb-surface": surface,
        "--sb-border": border,
        "--sb-text": readable_on(text_, grounds),
        "--sb-muted": readable_on(muted, grounds),
    }
