"""Production settings pass Django's deployment checks, and docker-compose.yml is complete."""

import os
import subprocess
import sys
from pathlib import Path

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
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY is required." in result.stderr


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
