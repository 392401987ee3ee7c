"""A real SMTP server in-process (aiosmtpd) on a free port, that can be told to refuse."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpSink:
    """Accepts every message, except the next ``refusals`` ones, which get a temporary failure."""

    refusals: int = 0
    accepted: list[Message] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refusals > 0:
                self.refusals -= 1
                self.refused += 1
                return "451 4.3.0 Try again later"
            self.accepted.append(message_from_bytes(envelope.content))
        return "250 OK"


@contextmanager
def smtp_sink(*, refusals: int = 0) -> Iterator[tuple[SmtpSink, int]]:
    """A running sink and its port; stopped on exit."""
    sink = SmtpSink(refusals=refusals)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
