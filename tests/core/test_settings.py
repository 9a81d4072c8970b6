"""Production settings, and start-up that fails with a sentence instead of a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from microstore import env

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "prod-" + "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "DJANGO_HTTPS": "1",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587",
}


def manage(*args, environ, timeout=120):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "CI"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", environ=PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_static_files_build_with_hashed_compressed_names(tmp_path):
    result = manage(
        "collectstatic", "--noinput", environ=PRODUCTION | {"DJANGO_STATIC_ROOT": str(tmp_path)}
    )

    assert result.returncode == 0, result.stderr
    css = list((tmp_path / "css").glob("site.*.css"))
    assert css, "the stylesheet gets a content hash in its name"
    assert Path(f"{css[0]}.gz").exists()
    assert (tmp_path / "staticfiles.json").exists()


def test_a_missing_secret_key_stops_start_up_with_a_clear_message():
    environ = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}

    result = manage("check", environ=environ)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_that_only_read_the_code_need_no_secret_key():
    environ = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}

    result = manage("makemigrations", "--check", "--dry-run", environ=environ)

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_an_unreachable_database_stops_migrate_with_a_clear_message():
    result = manage(
        "migrate",
        environ=PRODUCTION | {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/nowhere"},
    )

    assert result.returncode != 0
    assert "Cannot reach the database" in result.stderr
    assert "Check DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_square_works_in_debug_mode_without_any_configuration():
    result = manage("check", environ={"DJANGO_DEBUG": "1"})

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("X_BOOL", "perhaps", "X_BOOL must be one of"),
        ("X_INT", "ten", "X_INT must be a whole number"),
    ],
)
def test_typos_in_the_environment_name_the_variable(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    reader = env.get_bool if name == "X_BOOL" else env.get_int

    with pytest.raises(ImproperlyConfigured, match=message):
        reader(name, True)


def test_a_short_production_secret_key_is_refused(monkeypatch):
    monkeypatch.setenv("X_KEY", "short")

    with pytest.raises(ImproperlyConfigured, match="too short"):
        env.get_secret_key("X_KEY", debug=False)


def test_email_urls(monkeypatch):
    monkeypatch.setenv("X_MAIL", "smtp://mailer:p%40ss@smtp.example.com:2525?tls=0")
    smtp = env.get_mailers("X_MAIL")["default"]["OPTIONS"]
    monkeypatch.setenv("X_MAIL", "smtps://smtp.example.com")
    smtps = env.get_mailers("X_MAIL")["default"]["OPTIONS"]
    monkeypatch.delenv("X_MAIL")

    assert (smtp["username"], smtp["password"]) == ("mailer", "p@ss")
    assert (smtp["port"], smtp["use_tls"], smtp["use_ssl"]) == (2525, False, False)
    assert (smtps["port"], smtps["use_ssl"]) == (465, True)
    assert env.get_mailers("X_MAIL")["default"]["BACKEND"].endswith("console.EmailBackend")
    monkeypatch.setenv("X_MAIL", "carrier-pigeon://coop")
    with pytest.raises(ImproperlyConfigured, match="X_MAIL must start with"):
        env.get_mailers("X_MAIL")


def test_broker_and_cache_live_in_different_redis_databases():
    assert env.redis_url_with_db("redis://127.0.0.1:6379/14", 1) == "redis://127.0.0.1:6379/15"
    assert env.redis_url_with_db("redis://:pw@redis:6379", 1) == "redis://:pw@redis:6379/1"
