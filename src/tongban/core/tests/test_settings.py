from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("module", ["tongban.settings", "tongban.settings_gateway"])
def test_production_settings_pass_check_deploy(tmp_path, module):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE=module,
        TONGBAN_ENV="production",
        SECRET_KEY="x" * 20 + "production-secret-key-0123456789-abcdef",
        ALLOWED_HOSTS="gov.example",
        TONGBAN_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PII_KEYS="k1:" + base64.b64encode(b"k" * 32).decode(),
        PII_INDEX_KEY="index-key-0123456789-abcdef",
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_warns_when_personal_data_keys_are_derived(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PII_")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **env,
            "TONGBAN_ENV": "production",
            "SECRET_KEY": "x" * 20 + "production-secret-key-0123456789-abcdef",
            "ALLOWED_HOSTS": "gov.example",
            "TONGBAN_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "tongban.W001" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env={**env, "TONGBAN_ENV": "production", "TONGBAN_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
