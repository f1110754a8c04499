"""The widget keeps every text colour at WCAG AA on what it sits on, whatever the studio chose."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.rules.contrast import AA, contrast
from widget.palette import DEFAULTS, palette

colours = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")
choices = st.none() | colours


@given(choices, choices, choices)
def test_whatever_the_colours_every_text_pair_is_aa(accent, background, text):
    shown = {**DEFAULTS, **palette(accent, background, text)}
    grounds = [shown["--sb-bg"], shown["--sb-surface"]]
    assert contrast(shown["--sb-accent-text"], shown["--sb-accent"]) >= AA  # buttons, chosen day
    for ground in [*grounds, shown["--sb-accent-soft"]]:  # links, times, days with times
        assert contrast(shown["--sb-accent-link"], ground) >= AA
    for ground in grounds:
        assert contrast(shown["--sb-text"], ground) >= AA
        assert contrast(shown["--sb-muted"], ground) >= AA


def test_no_choice_keeps_the_stylesheets_defaults():
    assert palette(None, None, None) == {}
    chosen = palette("#2f5d62", None, None)
    assert chosen == DEFAULTS | {"--sb-accent-soft": chosen["--sb-accent-soft"]}


def test_a_readable_choice_is_used_as_chosen_and_a_weak_one_is_shaded():
    navy = palette("#1a237e", None, None)
    assert navy["--sb-accent"] == navy["--sb-accent-link"] == "#1a237e"  # reads on white as is
    assert navy["--sb-accent-text"] == "#ffffff"
    yellow = palette("#ffee00", None, None)
    assert yellow["--sb-accent"] == "#ffee00" and yellow["--sb-accent-text"] == "#000000"
    assert contrast(yellow["--sb-accent-link"], "#ffffff") >= AA


def test_a_dark_background_gets_dark_cards_and_light_text():
    dark = palette(None, "#101010", None)
    assert contrast(dark["--sb-surface"], "#ffffff") > AA  # cards are dark too
    assert (
        contrast(dark["--sb-text"], "#101010") >= AA and dark["--sb-text"] != DEFAULTS["--sb-text"]
    )
