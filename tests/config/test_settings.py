"""Production settings start only when configured safely, and pass Django's deploy checklist."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_checklist_is_clean_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 20 + "-production-like-key-" + "y" * 30,
        ALLOWED_HOSTS="pagar.example.com",
        PAGAR_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    result = _manage("check", DEBUG="0", PAGAR_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_bad_boolean_fails_loudly(tmp_path):
    result = _manage("check", DEBUG="ture", PAGAR_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_an_unsupported_database_url_fails_loudly(tmp_path):
    result = _manage("check", DEBUG="1", DATABASE_URL="mysql://root@127.0.0.1/pagar", PAGAR_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL or SQLite" in result.stderr
