"""localstripe, a stateful Stripe stand-in, run as a subprocess on 127.0.0.1 for tests."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

needs_localstripe = pytest.mark.skipif(
    importlib.util.find_spec("localstripe") is None,
    reason="localstripe is not installed: pip install -e '.[test]'",
)

API_KEY = "sk_test_localstripe"
START_TIMEOUT = 15  # seconds

# `localstripe --port N` listens on every interface and keeps its state in
# /tmp/localstripe.pickle, shared with any other run. This launcher serves the same app on
# 127.0.0.1 only, keeps state in memory, and accepts `allowed_payment_method_types`, which
# Stripe API versions since 2026-09-30 take instead of `payment_method_types` (localstripe
# 1.15 predates it).
LAUNCHER = """
import sys
from aiohttp import web
from localstripe import resources

resources.Store.dump_to_disk = lambda self: None
create_intent = resources.PaymentIntent.__init__

def create_intent_with_allowed_types(self, allowed_payment_method_types=None, **data):
    if allowed_payment_method_types is not None:
        data["payment_method_types"] = allowed_payment_method_types
    create_intent(self, **data)

resources.PaymentIntent.__init__ = create_intent_with_allowed_types

from localstripe.server import app

web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def answers(base: str) -> bool:
    probe = urllib.request.Request(
        f"{base}/v1/payment_intents", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    try:
        with urllib.request.urlopen(probe, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a localstripe of this module's own; stopped at the end."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path: Path = tmp_path_factory.mktemp("localstripe") / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(port)], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not answers(base):
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-500:]
                    pytest.skip(f"localstripe did not start within {START_TIMEOUT} s: {tail}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
