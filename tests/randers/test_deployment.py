"""Production settings pass Django's deployment checks, and docker-compose.yml is complete."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEBUG", "HTTPS"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="randers.settings",
        SECRET_KEY="a-production-like-secret-key-with-enough-length-and-variety-1234567890!",
        ALLOWED_HOSTS="aftaler.randers.dk",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "randers.settings"
    result = subprocess.run(
        [sys.executable, "-c", "import randers.wsgi"],  # what gunicorn loads
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY is required." in result.stderr


def test_migrations_can_be_checked_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "randers.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_compose_has_the_five_services():
    assert set(compose()["services"]) == {"web", "worker", "beat", "db", "redis"}


def test_compose_services_all_have_health_checks():
    for name, service in compose()["services"].items():
        assert service["healthcheck"]["test"], name


def test_compose_web_runs_migrations_then_gunicorn():
    command = compose()["services"]["web"]["command"]
    assert command.index("manage.py migrate --noinput") < command.index("gunicorn randers.wsgi")


def test_compose_worker_and_beat_run_celery():
    services = compose()["services"]
    assert services["worker"]["command"].startswith("celery -A randers worker")
    assert services["beat"]["command"].startswith("celery -A randers beat")


def test_compose_app_services_wait_for_healthy_dependencies():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert services["worker"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_compose_keeps_data_in_named_volumes():
    data = compose()
    assert {"pgdata", "redisdata", "media"} <= set(data["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in data["services"]["db"]["volumes"]
    assert "redisdata:/data" in data["services"]["redis"]["volumes"]


def test_compose_app_points_at_its_database_and_broker():
    env = compose()["services"]["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgresql://aftalestyring:")
    assert env["DATABASE_URL"].endswith("@db:5432/aftalestyring")
    assert env["REDIS_URL"] == "redis://redis:6379/0"


# --- Static assets -------------------------------------------------------------------------------


def test_static_files_are_served_with_hashed_names_long_cache_headers_and_compression(tmp_path):
    """As in production: collectstatic, then gunicorn with WhiteNoise in front of Django."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="randers.settings",
        SECRET_KEY="a-production-like-secret-key-with-enough-length-and-variety-1234567890!",
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="false",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "randers.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        for name in ("js/app.js", "css/app.css", "dkfds/js/dkfds.min.js"):
            hashed = manifest[name]
            assert re.fullmatch(re.escape(name.rsplit(".", 1)[0]) + r"\.[0-9a-f]{12}\.\w+", hashed)
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/static/{hashed}", headers={"Accept-Encoding": "gzip"}
            )
            reply = _wait_for(request)
            assert reply.status == 200
            # WhiteNoise gives files with a content hash in their name ten years, and immutable.
            assert reply.headers["Cache-Control"] == "max-age=315360000, public, immutable"
            assert reply.headers["Content-Encoding"] == "gzip"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(request: urllib.request.Request):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30
    while True:
        try:
            return urllib.request.urlopen(request, timeout=5)  # noqa: S310 (loopback)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.django_db
def test_no_script_blocks_rendering(client):
    page = client.get("/aftaler/offentlige/").content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts, "the pages have scripts"
    for tag in scripts:
        assert " src=" in tag, tag  # none inline
        assert " defer" in tag, tag
