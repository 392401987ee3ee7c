"""Settings come from the environment and fail fast: importing them is the start-up they guard."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import json, asm_portal.settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'zone': s.TIME_ZONE, "
    "'country': s.ASM_HOLIDAY_COUNTRY, 'engine': s.DATABASES['default']['ENGINE']}))"
)


def import_settings(**variables: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter; empty values also mask any line of a local .env."""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SECRET_KEY": "",
        "DJANGO_ALLOWED_HOSTS": "",
        "DJANGO_DEBUG": "",
        "DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'settings-test.sqlite3'}",
        **variables,
    }
    return subprocess.run(  # noqa: S603 - our own settings module, fixed arguments
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "DJANGO_SECRET_KEY is not set. It is required when DJANGO_DEBUG is off"),
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY is not set. It is required when DJANGO_DEBUG is off"),
        (
            {"DJANGO_SECRET_KEY": "x" * 50},
            "DJANGO_ALLOWED_HOSTS is not set. It is required when DJANGO_DEBUG is off",
        ),
    ],
    ids=["debug-unset", "debug-off", "no-hosts"],
)
def test_without_debug_a_missing_secret_stops_start_up_with_a_clear_message(variables, message):
    started = import_settings(**variables)

    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert message in started.stderr


def test_production_needs_only_the_secret_key_and_hosts():
    started = import_settings(DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS=" care.asm.example , ")

    assert started.returncode == 0, started.stderr
    values = json.loads(started.stdout)
    assert values["debug"] is False
    assert values["hosts"] == ["care.asm.example"]


def test_debug_gives_development_defaults_and_the_policy_location_defaults():
    started = import_settings(DJANGO_DEBUG="true")

    assert started.returncode == 0, started.stderr
    values = json.loads(started.stdout)
    assert values["hosts"] == ["localhost", "127.0.0.1", "[::1]"]
    assert (values["zone"], values["country"]) == ("Asia/Ho_Chi_Minh", "VN")


def test_the_policy_location_and_database_come_from_the_environment():
    started = import_settings(
        DJANGO_DEBUG="true",
        ASM_TIME_ZONE="Europe/Paris",
        ASM_HOLIDAY_COUNTRY="FR",
        DATABASE_URL="postgres://asm@127.0.0.1:5432/asm",
    )

    assert started.returncode == 0, started.stderr
    values = json.loads(started.stdout)
    assert (values["zone"], values["country"]) == ("Europe/Paris", "FR")
    assert values["engine"] == "django.db.backends.postgresql"


def test_the_embedded_sqlite_file_takes_concurrent_writers(tmp_path: Path):
    """`make run` puts web, worker and beat on one SQLite file: none of them may meet "database is locked"."""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_URL": "locmemcache://",
    }

    ran = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_writers"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert ran.returncode == 0, ran.stderr
    summary = json.loads(ran.stdout.strip().splitlines()[-1])
    assert summary["errors"] == []
    assert summary["journal_mode"] == "wal"
    # Every transaction committed, each having seen all those before it: the writes were serialised.
    assert summary["rows"] == summary["distinct_counts"] == 8 * 5
