"""The app under gunicorn for the bench, as README's deployment section runs it, and the machine.

`gunicorn --workers N "wsgi:create_app(...)"` on 127.0.0.1 and a free port, with the database in
DATABASE_URL, the test payment processor, no SMTP and no background mail sender (the booking's
mail is still queued, unwritten, in its transaction; writing and sending it are the sender's work,
not part of a booking's latency), and
TRUSTED_PROXIES=1 so the bench's clients each have their own address, as behind a proxy.
"""

from __future__ import annotations

import os
import platform
import secrets
import socket
import subprocess
import sys
import time as clock
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
APP = "wsgi:create_app({'MAIL_SENDER_THREAD': False})"
START_TIMEOUT = 60  # seconds for /healthz to answer


def workers() -> int:
    """README's one per core, or gunicorn's own WEB_CONCURRENCY when set (to compare)."""
    asked = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not asked:
        return os.cpu_count() or 1
    if not asked.isdigit() or int(asked) < 1:
        raise SystemExit(f"WEB_CONCURRENCY={asked!r}: give a whole number of workers above 0")
    return int(asked)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(database_url: str, log: Path) -> Iterator[tuple[str, int]]:
    """The app serving `database_url` until the block ends: yields (host, port)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "PAYMENT_GATEWAY": "test",
        "MAIL_URL": "",
        "TRUSTED_PROXIES": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers())]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", APP]
    with log.open("ab") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        _wait_until_healthy(server, port, log)
        yield "127.0.0.1", port
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_healthy(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = clock.monotonic() + START_TIMEOUT
    while clock.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        clock.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT} s; see {log}")


def machine(database_url: str) -> dict[str, object]:
    """Cores, CPU, memory, Python, platform, gunicorn and the database server's version."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (line.split()[1] for line in _read("/proc/meminfo").splitlines() if "MemTotal" in line),
        "0",
    )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "gunicorn": version("gunicorn"),
        "gunicorn_workers": workers(),
        "database_server": database_version(database_url),
        # 1, 5 and 15 minute load averages: anything else running on the machine shows here
        "load_average_before": [round(n, 2) for n in os.getloadavg()],
    }


def database_version(database_url: str) -> str:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                return "SQLite " + str(connection.scalar(text("select sqlite_version()")))
            return str(connection.scalar(text("select version()")))
    finally:
        engine.dispose()


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""
