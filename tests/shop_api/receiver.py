"""A shop's webhook receiver: a real HTTP server in a thread, answering as each test plans."""

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: Message  # names in any case, as HTTP has them
    body: bytes


@dataclass
class Receiver:
    url: str
    # Each POST takes the next plan: an HTTP status, or ("hang", seconds) before a 200. Then 200s.
    plans: list[Any] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Received(self.headers, body))
            plan = receiver.plans.pop(0) if receiver.plans else 200
            if isinstance(plan, tuple):
                time.sleep(plan[1])
                plan = 200
            answer = b'{"ok": true}' if plan < 300 else b"shop is down"
            self.send_response(plan)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the portal may have given up waiting
                self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/asm"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
