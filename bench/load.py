"""The bench's load generator: clients speaking HTTP to the app under gunicorn, from this process.

A `Browser` is one client: its own connection (kept alive where the server allows it; gunicorn's
sync workers close it after each response, and it is reopened), its own cookies and its own
address (X-Forwarded-For, read by the app with TRUSTED_PROXIES=1, so per-address rate limits see
many clients as they would behind a proxy). Every run is bounded both in count and in time.
"""

from __future__ import annotations

import gzip
import http.client
import re
import threading
import time as clock
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

JOIN_TIMEOUT = 60  # seconds; a stuck request fails the run instead of hanging it
CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
HTMX_HEADERS = {"HX-Request": "true"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    wire_bytes: int = 0  # the body as sent, before any decompression

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    """One client with its own connection, cookies and address."""

    host: str
    port: int
    address: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""

    def __post_init__(self) -> None:
        self._connection = http.client.HTTPConnection(self.host, self.port, timeout=JOIN_TIMEOUT)

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: Mapping[str, str | int]) -> Reply:
        body = urlencode({"csrf_token": self.csrf_token, **fields}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body=body, headers=headers)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.address:
            sent["X-Forwarded-For"] = self.address
        started = clock.perf_counter()
        try:
            self._connection.request(method, path, body=body, headers=sent)
            response = self._connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self._connection.close()  # the next request opens a new one
            raise
        seconds = clock.perf_counter() - started
        received = {name.lower(): value for name, value in response.getheaders()}
        for line in response.headers.get_all("Set-Cookie") or []:
            self._keep_cookie(line)
        data = gzip.decompress(raw) if received.get("content-encoding") == "gzip" else raw
        if (found := CSRF.search(data)) is not None:
            self.csrf_token = found.group(1).decode()
        return Reply(response.status, received, data, seconds, len(raw))

    def _keep_cookie(self, line: str) -> None:
        pair, *attributes = (part.strip() for part in line.split(";"))
        name, _, value = pair.partition("=")
        lowered = [attribute.lower() for attribute in attributes]
        if "max-age=0" in lowered or any(a.startswith("expires=thu, 01 jan 1970") for a in lowered):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def log_in(self, email: str, password: str) -> None:
        """Log in through the widget's form (outside any timing); raises if refused."""
        self.get("/login")
        reply = self.post("/login", {"email": email, "password": password, "next": ""})
        if reply.status != 303:
            raise RuntimeError(f"login of {email} answered {reply.status}")
        self.get(reply.location)  # the page after login carries the session's CSRF token

    def close(self) -> None:
        self._connection.close()


# --- latency ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (which must not be empty)."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summary(seconds: Sequence[float], errors: int = 0) -> dict[str, float | int]:
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "count": 0, "errors": errors}
    return {
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
        "mean_ms": round(sum(seconds) / len(seconds) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
        "count": len(seconds),
        "errors": errors,
    }


Request = tuple[str, Mapping[str, str]]  # path, headers


def latencies(
    browser: Browser,
    requests: Sequence[Request],
    *,
    count: int,
    seconds: float,
    warmup: int = 20,
    seen: Callable[[Reply], None] | None = None,
) -> dict[str, float | int]:
    """p50/p95 of `count` requests (cycling through `requests`) one after another, stopping after
    `seconds`; anything but a 2xx is an error and is not timed. `seen` gets every good reply."""
    for n in range(warmup):  # each worker compiles its templates and fills its caches first
        path, headers = requests[n % len(requests)]
        browser.get(path, headers)
    timed: list[float] = []
    errors = 0
    deadline = clock.perf_counter() + seconds
    for n in range(count):
        if clock.perf_counter() > deadline:
            break
        path, headers = requests[n % len(requests)]
        try:
            reply = browser.get(path, headers)
        except (OSError, http.client.HTTPException):
            errors += 1
            continue
        if 200 <= reply.status < 300:
            timed.append(reply.seconds)
            if seen is not None:
                seen(reply)
        else:
            errors += 1
    return summary(timed, errors)


def throughput(
    make_browser: Callable[[int], Browser],
    requests: Sequence[Request],
    *,
    clients: int,
    seconds: float,
) -> dict[str, float | int]:
    """Requests per second answered 2xx with `clients` clients each sending its next request as
    soon as the last is answered, for `seconds`."""
    browsers = [make_browser(n) for n in range(clients)]
    done: list[list[float]] = [[] for _ in browsers]
    errors = Counter[int]()
    barrier = threading.Barrier(clients + 1, timeout=JOIN_TIMEOUT)
    stop = threading.Event()

    def run(n: int) -> None:
        barrier.wait()
        step = n
        while not stop.is_set():
            path, headers = requests[step % len(requests)]
            step += clients
            try:
                reply = browsers[n].get(path, headers)
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                continue
            if 200 <= reply.status < 300:
                done[n].append(reply.seconds)
            else:
                errors[n] += 1

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started, cpu = clock.perf_counter(), clock.process_time()
    clock.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    elapsed = clock.perf_counter() - started
    cpu = clock.process_time() - cpu
    for browser in browsers:
        browser.close()
    answered = [s for times in done for s in times]
    return {
        "rps": round(len(answered) / elapsed, 1),
        "clients": clients,
        "seconds": round(elapsed, 2),
        "generator_cpu_share": round(cpu / elapsed, 2),  # of one core, the server's to share
        **summary(answered, sum(errors.values())),
    }


# --- booking ----------------------------------------------------------------------------------


@dataclass
class Attempt:
    outcome: str  # "booked", "refused" (a clean 4xx), "payment" (a type that needs it), "error"
    seconds: float = 0.0  # hold + confirm, the review page between them not counted
    detail: str = ""


def book(browser: Browser, slug: str, slot_id: int) -> Attempt:
    """Hold `slot_id` for `slug`, open the review step, confirm: what a logged-in client does."""
    try:
        held = browser.post(f"/book/{slug}/hold", {"slot_id": slot_id})
        if held.status != 303:
            return _refusal(held, "hold")
        review = browser.get(held.location)
        if review.status != 200:
            return _refusal(review, "review")
        confirmed = browser.post("/book/confirm", review_fields(review.body))
    except (OSError, http.client.HTTPException) as error:
        return Attempt("error", detail=f"{type(error).__name__}: {error}")
    seconds = held.seconds + confirmed.seconds
    if confirmed.status == 303 and "/book/confirmed/" in confirmed.location:
        return Attempt("booked", seconds)
    if confirmed.status == 303 and urlsplit(confirmed.location).path.endswith("/pay"):
        return Attempt("payment", seconds, confirmed.location)
    return _refusal(confirmed, "confirm")


def _refusal(reply: Reply, step: str) -> Attempt:
    if reply.status >= 500 or reply.status < 400:
        return Attempt("error", detail=f"{step} answered {reply.status}")
    return Attempt("refused", detail=f"{step} answered {reply.status}")


def contend(browsers: Sequence[Browser], slug: str, slot_id: int) -> list[Attempt]:
    """Every browser tries to book `slot_id` at the same moment; an attempt each (an error for
    a client that never came back)."""
    barrier = threading.Barrier(len(browsers), timeout=JOIN_TIMEOUT)
    attempts: list[Attempt] = []
    lock = threading.Lock()

    def run(browser: Browser) -> None:
        barrier.wait()
        attempt = book(browser, slug, slot_id)
        with lock:
            attempts.append(attempt)

    threads = [threading.Thread(target=run, args=(b,), daemon=True) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    with lock:
        missing = len(browsers) - len(attempts)
        return attempts + [Attempt("error", detail="no answer in time")] * missing


class _Forms(HTMLParser):
    """The review form's fields with their default values (what a client leaves as it is)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_confirm = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_confirm = a.get("action", "").endswith("/book/confirm")
        elif not self._in_confirm:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.fields.setdefault(a["name"], a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self.fields.setdefault(a["name"], "")
        elif tag == "select":
            self._select = a.get("name")
        elif (
            tag == "option"
            and self._select
            and ("selected" in a or self._select not in self.fields)
        ):
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_confirm = False
        elif tag == "select":
            self._select = None


def review_fields(page: bytes) -> dict[str, str]:
    parser = _Forms()
    parser.feed(page.decode())
    return parser.fields


# --- page weight ------------------------------------------------------------------------------


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if (
            tag == "link"
            and a.get("href")
            and ({"stylesheet", "icon", "preload"} & set(a.get("rel", "").split()))
        ):
            self.urls.append(a["href"])
        elif tag in ("script", "img") and a.get("src"):
            self.urls.append(a["src"])


CSS_URL = re.compile(rb"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def page_weight(browser: Browser, path: str) -> dict[str, object]:
    """A first visit to `path`: the page and every stylesheet, script, image and icon it names
    (and the CSS names), fetched once each. raw: the bodies; gzip: each body gzipped (level 6,
    what a compressing proxy sends); served: the bytes the app itself sent to an
    Accept-Encoding: gzip request."""
    accept = {"Accept-Encoding": "gzip"}
    fetched: dict[str, Reply] = {}
    queue = [path]
    while queue:
        url = queue.pop(0)
        if url in fetched or urlsplit(url).netloc or urlsplit(url).scheme:
            continue  # once each; data: URLs and other sites' files cost no request of ours
        reply = browser.get(url, accept)
        if reply.status != 200:
            raise RuntimeError(f"{url} answered {reply.status} on the first load")
        fetched[url] = reply
        if url == path:
            parser = _Assets()
            parser.feed(reply.body.decode())
            queue += [urljoin(url, found) for found in parser.urls]
        elif reply.headers.get("content-type", "").startswith("text/css"):
            queue += [urljoin(url, m.decode()) for m in CSS_URL.findall(reply.body)]
    files = {
        url: {
            "raw_bytes": len(reply.body),
            "gzip_bytes": len(gzip.compress(reply.body, 6)),
            "served_bytes": reply.wire_bytes,
            "served_gzip": reply.headers.get("content-encoding") == "gzip",
            "kept_seconds": kept_seconds(reply.headers.get("cache-control", "")),
        }
        for url, reply in fetched.items()
    }
    return {
        "page": path,
        "raw_bytes": sum(f["raw_bytes"] for f in files.values()),
        "gzip_bytes": sum(f["gzip_bytes"] for f in files.values()),
        "served_bytes": sum(f["served_bytes"] for f in files.values()),
        "requests": len(files),
        # The same page again: what the browser may not take from its cache without asking.
        "next_page_requests": sum(1 for f in files.values() if not f["kept_seconds"]),
        "files": files,
    }


def kept_seconds(cache_control: str) -> int:
    """How long a browser may use its copy without asking again (0: it asks every time)."""
    directives = [part.strip().lower() for part in cache_control.split(",")]
    if "no-cache" in directives or "no-store" in directives:
        return 0
    for directive in directives:
        name, _, value = directive.partition("=")
        if name == "max-age" and value.isdigit():
            return int(value)
    return 0
