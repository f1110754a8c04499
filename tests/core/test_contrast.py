"""WCAG contrast maths, and the readable shades the widget and the admin rely on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.rules.contrast import AA, contrast, luminance, readable_on, readable_text_on

colours = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


def test_black_on_white_is_21_to_1_and_a_colour_on_itself_is_1_to_1():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#2f5d62", "#2f5d62") == 1
    assert luminance("#ffffff") == pytest.approx(1) and luminance("#000000") == 0


def test_known_pairs_match_the_wcag_figures():
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest AA grey
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just below AA


@given(colours, colours)
def test_contrast_is_symmetric_and_between_1_and_21(first, second):
    ratio = contrast(first, second)
    assert ratio == contrast(second, first)
    assert 1 <= ratio <= 21 + 1e-9


@given(colours)
def test_text_on_any_background_is_aa(background):
    assert contrast(readable_text_on(background), background) >= AA


@given(colours, colours)
def test_a_readable_shade_reaches_aa_on_any_one_background(colour, background):
    assert contrast(readable_on(colour, [background]), background) >= AA


@given(colours, colours)
def test_a_colour_already_readable_is_kept(colour, background):
    if contrast(colour, background) >= AA:
        assert readable_on(colour, [background]) == colour


def test_a_pale_accent_on_white_is_darkened_just_enough():
    shade = readable_on("#ffcc00", ["#ffffff"])
    assert contrast(shade, "#ffffff") >= AA
    assert contrast(shade, "#ffffff") < 5  # the nearest shade, not black
