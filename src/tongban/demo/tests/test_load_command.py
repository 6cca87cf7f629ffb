"""``manage.py load_demo`` prints the demo accounts with links to where the demo is served."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_printed_links_follow_the_url_make_demo_serves():
    out = io.StringIO()
    call_command("load_demo", url="http://127.0.0.1:8765/", stdout=out)
    printed = out.getvalue()
    assert "staff workbench: http://127.0.0.1:8765/workbench/" in printed
    assert "Portal:    http://127.0.0.1:8765/  " in printed
    assert "Health:    http://127.0.0.1:8765/healthz" in printed
    assert ":8000" not in printed

    again = io.StringIO()
    call_command("load_demo", stdout=again)  # the default links
    assert "staff workbench: http://127.0.0.1:8000/workbench/" in again.getvalue()
