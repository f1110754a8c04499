"""Colour contrast by WCAG 2: relative luminance, contrast ratio, and the nearest readable shade.

Colours are "#rrggbb" strings. AA asks 4.5:1 for ordinary text. The studio chooses its colours;
these rules let the admin warn about a weak pair and the widget shift a colour just enough.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

AA = 4.5
BLACK = "#000000"
WHITE = "#ffffff"
_STEPS = 50  # shades tried between a colour and black or white


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def luminance(colour: str) -> float:
    """WCAG relative luminance: 0.0 for black, 1.0 for white."""

    def linear(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(value) for value in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The contrast ratio of two colours, from 1.0 (the same) to 21.0 (black on white)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved `amount` (0.0-1.0) of the way to `other`."""
    pairs = zip(_channels(colour), _channels(other), strict=True)
    return "#" + "".join(f"{round(a + (b - a) * amount):02x}" for a, b in pairs)


def readable_text_on(background: str) -> str:
    """White or black, whichever contrasts more with `background`: always at least 4.58:1."""
    return WHITE if contrast(WHITE, background) >= contrast(BLACK, background) else BLACK


def _worst(colour: str, backgrounds: Sequence[str]) -> float:
    return min(contrast(colour, background) for background in backgrounds)


def readable_on(colour: str, backgrounds: Sequence[str], minimum: float = AA) -> str:
    """`colour` itself when it reaches `minimum` on every background; else the nearest shade of it
    (darker or lighter, whichever needs the smaller change) that does; when no shade can (a dark
    and a light background at once), the one of black and white that does best on the worst."""
    if _worst(colour, backgrounds) >= minimum:
        return colour
    for step in range(1, _STEPS + 1):
        for target in (BLACK, WHITE):
            shade = mix(colour, target, step / _STEPS)
            if _worst(shade, backgrounds) >= minimum:
                return shade
    return max((BLACK, WHITE), key=lambda extreme: _worst(extreme, backgrounds))


# The widget's colours when the studio leaves a box blank (widget.css :root).
DEFAULT_ACCENT = "#2f5d62"
DEFAULT_BACKGROUND = "#f7f6f3"
DEFAULT_TEXT = "#1f2328"


@dataclass(frozen=True)
class WeakPair:
    """Two of the studio's colours below AA together, and which way the widget shades them."""

    what: str
    ratio: float
    darker: bool  # the widget shows a darker shade (else a lighter one)

    @property
    def message(self) -> str:
        shade = "darker" if self.darker else "lighter"
        ratio = math.floor(self.ratio * 100) / 100  # 4.499 is below 4.5: never show "4.50"
        return (
            f"{self.what} has a contrast of {ratio:.2f}:1, below the 4.5:1 that WCAG AA asks "
            f"for text. The booking pages use a {shade} shade so it stays readable."
        )


def weak_pairs(accent: str | None, background: str | None, text: str | None) -> list[WeakPair]:
    """The studio's colour pairs that fall below AA: text on the background, and the accent as
    the colour of links and times on the background (blank = the widget's default colour)."""
    bg = background or DEFAULT_BACKGROUND
    pairs = [
        ("Text on the background", text or DEFAULT_TEXT),
        ("The accent as link and time colour on the background", accent or DEFAULT_ACCENT),
    ]
    return [
        WeakPair(
            what, contrast(colour, bg), luminance(readable_on(colour, [bg])) < luminance(colour)
        )
        for what, colour in pairs
        if contrast(colour, bg) < AA
    ]
