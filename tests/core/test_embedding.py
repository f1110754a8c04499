"""The embedding rules: origins as browsers compare them, and attribution as staff read it."""

from __future__ import annotations

import pytest

from core.rules.embedding import (
    BadOrigin,
    clean_attribution,
    config_origins,
    describe_attribution,
    frame_ancestors,
    parse_origin,
    parse_origins,
    trusted_parent,
)


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://www.studio.example", "https://www.studio.example"),
        ("  HTTPS://WWW.Studio.Example/  ", "https://www.studio.example"),
        ("https://studio.example:443", "https://studio.example"),
        ("http://studio.example:80", "http://studio.example"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("https://münchen.example", "https://xn--mnchen-3ya.example"),
    ],
)
def test_an_origin_is_normalised_the_way_browsers_send_it(typed: str, origin: str) -> None:
    assert parse_origin(typed) == origin


@pytest.mark.parametrize(
    "typed",
    [
        "www.studio.example",
        "ftp://studio.example",
        "https://studio.example/book",
        "https://studio.example/?a=1",
        "https://studio.example#top",
        "https://user@studio.example",
        "https://*.studio.example",
        "https://studio.example:0",
        "https://studio.example:70000",
        "https://stu dio.example",
        "https://-studio.example",
        "https://",
        "https://" + "a" * 250 + ".example",
    ],
)
def test_anything_else_is_refused_with_a_reason(typed: str) -> None:
    with pytest.raises(BadOrigin):
        parse_origin(typed)


def test_origins_are_read_one_per_line_without_repeats() -> None:
    origins, problems = parse_origins("https://a.example\n\nhttps://A.example/\nnope\n")
    assert origins == ["https://a.example"]
    assert problems == [
        "Line 4 (“nope”): Start with https:// (or http://), for example https://www.studio.example."
    ]
    assert frame_ancestors(origins) == "'self' https://a.example"


def test_the_parent_is_trusted_only_when_allowed_and_never_as_a_wildcard() -> None:
    own = "https://book.studiobook.example"
    assert trusted_parent("https://a.example", ["https://a.example"], own) == "https://a.example"
    assert trusted_parent("https://b.example", ["https://a.example"], own) is None
    assert trusted_parent(own, [], own) == own
    assert trusted_parent("https://b.example", ["*"], own) == "https://b.example"
    assert trusted_parent("*", ["*"], own) is None
    assert config_origins("'self' https://A.example https://*.x.example *") == [
        "https://a.example",
        "*",
    ]


def test_attribution_keeps_known_short_values_only() -> None:
    given = {
        "utm_source": "  news   letter ",
        "utm_medium": "x" * 101,
        "utm_campaign": "spring\x00",
        "gclid": "abc",
        "source": 5,
    }
    assert clean_attribution(given) == {"utm_source": "news letter"}
    assert clean_attribution({"gclid": "abc"}) is None


def test_attribution_reads_as_where_the_client_came_from() -> None:
    full = {
        "source": "www.studio.example",
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "spring",
    }
    assert describe_attribution(full) == (
        "newsletter (utm_medium=email, utm_campaign=spring) on www.studio.example"
    )
    assert describe_attribution({"source": "spring-landing"}) == "spring-landing"
    assert describe_attribution(None) == ""
