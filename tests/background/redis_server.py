"""A ``redis-server`` of a test's own, on a free port, that the test can kill and start again.

Never the machine's shared Redis: a test that proves something of an outage
stops only the server it started.
"""

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.background.smtp import free_port
from tests.conftest import require_service

REDIS_SERVER = "redis-server"
# A password in every URL, so that tests can show no answer or log line ever repeats it.
PASSWORD = "outage-test-secret"


@dataclass
class OwnRedis:
    """One ``redis-server`` process; ``kill()`` is SIGKILL, as a crash or an OOM kill would be."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://:{PASSWORD}@127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own test server
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--requirepass",
                PASSWORD,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def pause(self) -> None:
        """SIGSTOP: connections stay open and nothing answers, as with a hung server or a lost network."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url(), socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False


@contextmanager
def own_redis(directory: Path) -> Iterator[OwnRedis]:
    """A running server of the test's own, stopped however the test ends; skips without the binary."""
    require_service(shutil.which(REDIS_SERVER) is not None, f"{REDIS_SERVER} is not installed")
    server = OwnRedis(directory=directory)
    server.start()
    try:
        yield server
    finally:
        server.kill()
