"""A real Celery worker for the tests: `celery -A randers worker` in a subprocess, on the real Redis
(the tests' REDIS_URL) and the test database pytest-django created, with data the test committed
(use `transactional_db`). The worker runs the production settings; `-B` embeds beat, so the sweep
that resends lost jobs runs too, every second with the drills' short thresholds.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """The URL of the test database (test_<name>), for the worker's DATABASE_URL."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or ""
    if host.startswith("/"):  # a socket directory (the embedded server of `make test`)
        return f"postgresql://{user}{password}@/{db['NAME']}?host={host}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{user}{password}@{host}{port}/{db['NAME']}"


def flush_broker() -> None:
    """Empty the tests' Redis database: every queued and unacknowledged message is gone."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


class Worker:
    """One worker process group; `start` again after `kill` is a restart."""

    def __init__(self, *, concurrency: int = 2, env: dict[str, str] | None = None) -> None:
        self.concurrency = concurrency
        self.extra_env = env or {}
        self.directory = Path(tempfile.mkdtemp(prefix="aftalestyring-worker-"))
        self.logs: list[Path] = []
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.directory / f"worker-{len(self.logs) + 1}.log"
        self.logs.append(log)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "randers.settings",
            "SECRET_KEY": "worker-in-tests-only-0123456789-0123456789-0123456789",
            "DATABASE_URL": test_database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "LOG_LEVEL": "INFO",
            "JOBS_SWEEP_SECONDS": "1",
            "JOBS_LOST_AFTER_SECONDS": "3",
            "JOBS_SILENT_AFTER_SECONDS": "5",
            **self.extra_env,
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "randers",
            "worker",
            "-B",
            "--schedule",
            str(self.directory / "beat-schedule"),
            "--loglevel=INFO",
            f"--concurrency={self.concurrency}",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=tests-{os.getpid()}-{len(self.logs)}@%h",
        ]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(lambda: "ready." in log.read_text(errors="replace"), timeout=60, what=log)

    def kill(self) -> None:
        """SIGKILL the worker and its children at once: nothing is acknowledged or cleaned up."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def output(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in self.logs if log.exists())

    def rendered(self) -> list[tuple[str, str]]:
        """The (content hash, state) of every PDF rendered and stored, from all runs' logs."""
        return re.findall(r"rendered PDF \d+ of ([0-9a-f]{64}) \((\w+),", self.output())


def wait_until(check: Callable[[], object], *, timeout: float, what: object = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting after {timeout} s: {what}")
