"""Shared fixtures: the demo city is loaded once per test session, through the services."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tongban.demo.loader import load_demo_city

    with django_db_blocker.unblock():
        load_demo_city()


@pytest.fixture
def system_actor():
    from tongban.core.types import Actor

    return Actor.system("tests")


def find_item(name_part: str, *, audience: str | None = None):
    """The first published item whose name contains ``name_part``."""
    from tongban.catalog.models import ImplementationItem

    qs = ImplementationItem.objects.filter(current_version__name__contains=name_part)
    if audience:
        qs = qs.filter(current_version__audience=audience)
    item = qs.select_related("current_version").order_by("implementation_code").first()
    assert item is not None, f"no demo item named like {name_part}"
    return item


@pytest.fixture
def item_finder():
    return find_item


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """The exchange gateway caches its signer and its routing, the organisations their region
    codes, per process; a test's database is rolled back (or flushed) after it, so no test
    may see what another test cached."""
    from tongban.exchange import routing
    from tongban.exchange.services import keys
    from tongban.organizations.selectors import region_codes_forget

    keys._cached = None
    routing.reset()
    region_codes_forget()
    yield
    keys._cached = None
    routing.reset()
    region_codes_forget()
