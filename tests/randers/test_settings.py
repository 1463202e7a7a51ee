import pytest
from django.core.exceptions import ImproperlyConfigured

from randers import settings as project_settings


def test_env_bool_reads_true_and_false(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert project_settings.env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert project_settings.env_bool("FLAG", True) is False


def test_env_bool_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be true or false"):
        project_settings.env_bool("FLAG", False)


def test_env_int_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("COUNT", "five")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be a whole number"):
        project_settings.env_int("COUNT", 1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.dk, b.dk,,")
    assert project_settings.env_list("HOSTS") == ["a.dk", "b.dk"]


def test_env_str_reads_a_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert project_settings.env_str("TOKEN") == "s3cret"


def test_env_str_requires_a_value_without_default(monkeypatch):
    monkeypatch.delenv("MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MISSING is required"):
        project_settings.env_str("MISSING")


def test_database_url_with_host_and_port():
    db = project_settings.database_from_url("postgresql://app:p%40ss@db.example:5433/aftaler")
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "aftaler",
        "app",
        "p@ss",
        "db.example",
        "5433",
    )


def test_database_url_with_a_socket_directory():
    db = project_settings.database_from_url("postgresql://postgres@/aftalestyring?host=/tmp/pg")
    assert (db["NAME"], db["HOST"], db["OPTIONS"]) == (
        "aftalestyring",
        "/tmp/pg",
        {"options": "-c jit=off -c join_collapse_limit=4"},
    )


@pytest.mark.django_db
def test_the_planner_settings_hold_on_the_connections_unless_the_url_says_otherwise():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('join_collapse_limit')")
        assert cursor.fetchone() == ("off", "4")
    db = project_settings.database_from_url("postgresql://app@db/aftaler?options=-c%20jit%3Don")
    assert db["OPTIONS"] == {"options": "-c jit=on"}


def test_database_url_must_be_postgresql():
    with pytest.raises(ImproperlyConfigured, match="postgresql://"):
        project_settings.database_from_url("mysql://root@localhost/app")


def test_beat_sends_the_reminders_daily_at_the_reminders_hour():
    from celery.schedules import crontab

    entry = project_settings.CELERY_BEAT_SCHEDULE["send-reminders"]
    assert entry["task"] == "agreements.tasks.send_reminders"
    assert entry["schedule"] == crontab(hour=project_settings.REMINDERS_HOUR, minute=0)


def test_a_reminders_hour_outside_the_day_stops_the_app_at_boot(tmp_path):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import randers.settings"],
        env={**os.environ, "REMINDERS_HOUR": "25", "SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "REMINDERS_HOUR must be an hour of the day, 0 to 23." in result.stderr
