"""Browser journeys: a real server (gunicorn) on a fresh database, driven by Chromium.

The server gets its own database: a temporary SQLite file, or a fresh PostgreSQL database
next to the one in ``DATABASE_URL``. Chromium is Debian's (``/usr/bin/chromium``); when it is
missing the journeys are skipped, unless ``TONGBAN_REQUIRE_BROWSER=1`` (CI), which fails them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from playwright.sync_api import expect

# Assertions wait up to 15 s, like the pages' actions: a 2-core machine running the suite, the
# server and the browser at once is slow to answer a submission with files now and then.
expect.set_options(timeout=15_000)

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
_SERVER_ENV: dict[str, str] = {}


def server_env() -> dict[str, str]:
    """The environment of the live server (to run management commands on its database)."""
    return dict(_SERVER_ENV)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(var_dir: Path) -> tuple[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{var_dir / 'e2e.sqlite3'}", None
    import psycopg

    parsed = urlparse(url)
    name = f"tongban_e2e_{os.getpid()}"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunparse(parsed._replace(path=f"/{name}")), drop


@pytest.fixture(scope="session")
def live_var_dir() -> Path:
    """The live server's variable directory (its text messages are files in ``sms/``)."""
    return Path(tempfile.mkdtemp(prefix="tongban-e2e-"))


@pytest.fixture(scope="session")
def live_url(live_var_dir: Path) -> Iterator[str]:
    var_dir = live_var_dir
    database_url, drop = _database_url(var_dir)
    env = {
        **os.environ,
        "TONGBAN_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tongban.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "LOG_LEVEL": "WARNING",
        "SMS_BACKEND": "tongban.core.messaging.FileSmsBackend",
        "SMS_FILE_PATH": str(var_dir / "sms"),
    }
    _SERVER_ENV.update(env)
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "load_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "tongban.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        if drop:
            drop()  # type: ignore[operator]
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = _chromium()
    if executable is None:
        if os.environ.get("TONGBAN_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (TONGBAN_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_url):
    context = browser.new_context(base_url=live_url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_url):
    context = browser.new_context(
        base_url=live_url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="zh-CN",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
