"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 on a free port, keeping what arrives.

The `smtp_server` fixture (tests/conftest.py) gives one per test: `server.url` is its MAIL_URL,
`server.messages` the parsed messages, `server.wait_for(n)` waits until n have arrived. Set
`server.reply` to answer DATA with a refusal ("451 ..." or "550 ..."), `server.delay` to make it
slow.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nothing listens on (right now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class Inbox:
    """The aiosmtpd handler: stores every accepted message."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.reply: str | None = None
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply:
            return self.reply
        # On the wire lines end in CRLF; read them as Python text does.
        content = envelope.content.replace(b"\r\n", b"\n")
        message = message_from_bytes(content, policy=policy.default)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, **smtp_options: Any) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, **smtp_options
        )

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.inbox.received]

    @property
    def reply(self) -> str | None:
        return self.inbox.reply

    @reply.setter
    def reply(self, value: str | None) -> None:
        self.inbox.reply = value

    @property
    def delay(self) -> float:
        return self.inbox.delay

    @delay.setter
    def delay(self, value: float) -> None:
        self.inbox.delay = value

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once `count` have arrived; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.inbox.received) < count:
            assert time.monotonic() < deadline, (
                f"{len(self.inbox.received)} of {count} messages arrived in {timeout} s"
            )
            time.sleep(0.02)
        return self.messages

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
