"""Embedding the widget on a studio's site: which origins may frame it, where a client came from.

Pure rules, no database: an origin is `scheme://host[:port]` (what CSP `frame-ancestors` and
`postMessage` compare), and attribution is the embed's `source` plus the studio page's UTM
parameters, kept only when they look like what a marketing link carries.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

MAX_ORIGINS = 20
MAX_ORIGIN_LENGTH = 200
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
ATTRIBUTION_KEYS = ("source", *UTM_KEYS)
ATTRIBUTION_MAX_LENGTH = 100


class BadOrigin(ValueError):
    """Not an origin a browser would send; `str(error)` says what to type instead."""


def _host(host: str) -> str:
    """The host in lower case (IDNA for non-ASCII names, brackets round IPv6); raises BadOrigin."""
    if ":" in host:
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            raise BadOrigin("That is not a valid IPv6 address.") from None
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise BadOrigin("That is not a valid host name.") from None
    if not all(_LABEL.fullmatch(label) for label in host.split(".")):
        raise BadOrigin("That is not a valid host name.")
    return host


def parse_origin(text: str) -> str:
    """`text` as a normalised origin: lower-case scheme and host, no default port, e.g.
    "https://www.studio.example" or "http://localhost:8000". A trailing "/" is allowed; any
    other path, a query, a fragment, a login or a wildcard is not. Raises BadOrigin."""
    text = text.strip()
    if len(text) > MAX_ORIGIN_LENGTH:
        raise BadOrigin(f"Keep each address to {MAX_ORIGIN_LENGTH} characters or fewer.")
    if "*" in text:
        raise BadOrigin("List each site on its own line; wildcards (*) are not accepted.")
    if not re.match(r"(?i)^https?://", text):
        raise BadOrigin("Start with https:// (or http://), for example https://www.studio.example.")
    parts = urlsplit(text)
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in text or "#" in text:
        raise BadOrigin("Enter only the site, without a page path: https://www.studio.example.")
    if "@" in parts.netloc or not parts.hostname or any(c.isspace() for c in text):
        raise BadOrigin("Enter the site as https://www.studio.example (a host and maybe a port).")
    try:
        port = parts.port
    except ValueError:
        raise BadOrigin("The port must be a number from 1 to 65535.") from None
    host = _host(parts.hostname)
    scheme = parts.scheme.lower()
    if port == 0:
        raise BadOrigin("The port must be a number from 1 to 65535.")
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def parse_origins(text: str) -> tuple[list[str], list[str]]:
    """The origins in `text` (one per line, blank lines skipped), normalised and without
    repeats, and one message per bad line ("Line 2 (“www.x”): ...")."""
    origins: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            origin = parse_origin(line)
        except BadOrigin as error:
            shown = line if len(line) <= 60 else line[:57] + "…"
            problems.append(f"Line {number} (“{shown}”): {error}")
            continue
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        problems.append(f"List at most {MAX_ORIGINS} sites.")
    return origins, problems


def frame_ancestors(origins: Iterable[str]) -> str:
    """The CSP `frame-ancestors` source list for these origins: our own pages, then them."""
    return " ".join(("'self'", *origins))


def trusted_parent(claimed: str, allowed: Iterable[str], own_origin: str) -> str | None:
    """The origin the widget may post its height to: `claimed` (what the embed script says the
    framing page is) when it is our own origin or one of `allowed`, which may hold "*" (any
    site may frame the widget, so any may learn its height). None otherwise; never "*"."""
    try:
        origin = parse_origin(claimed)
    except BadOrigin:
        return None
    allowed = set(allowed)
    return origin if origin == own_origin or origin in allowed or "*" in allowed else None


def config_origins(value: str) -> list[str]:
    """The entries of a configured `frame-ancestors` value (e.g. "*" or "https://a https://b")
    a parent page's origin can equal: "*" and exact origins; keywords and patterns are left out."""
    found: list[str] = []
    for token in value.split():
        if token == "*":
            found.append(token)
            continue
        try:
            found.append(parse_origin(token))
        except BadOrigin:
            continue
    return found


def clean_attribution(values: Mapping[str, object]) -> dict[str, str] | None:
    """The known attribution keys (`source` and the five UTM parameters) whose values are short
    printable text, with spaces collapsed; None when nothing is left. Other keys, over-long or
    non-text values are dropped: a marketing link's oddities never stop a booking."""
    kept: dict[str, str] = {}
    for key in ATTRIBUTION_KEYS:
        value = values.get(key)
        if not isinstance(value, str):
            continue
        value = " ".join(value.split())
        if value and len(value) <= ATTRIBUTION_MAX_LENGTH and value.isprintable():
            kept[key] = value
    return kept or None


def describe_attribution(attribution: Mapping[str, str] | None) -> str:
    """ "newsletter (utm_medium=email, utm_campaign=spring) on www.studio.example": the UTM
    source (or the embed's source), the other UTM values, and the page it was booked on.
    "" when there is none."""
    given = clean_attribution(attribution or {})
    if given is None:
        return ""
    source = given.get("source")
    label = given.get("utm_source") or source or ""
    others = [f"{key}={given[key]}" for key in UTM_KEYS[1:] if key in given]
    text = label + (f" ({', '.join(others)})" if others else "")
    if source and given.get("utm_source"):
        text += f" on {source}"
    return text.strip()
