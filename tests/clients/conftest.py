"""The client package lives in clients/python (its own project, not installed in Pagar's
environment): tests import it from there. Its HTTP tests talk to pytest-django's live server."""

import sys
from pathlib import Path

import pytest
from django.test import override_settings

CLIENT_SOURCE = Path(__file__).resolve().parents[2] / "clients" / "python"
if str(CLIENT_SOURCE) not in sys.path:
    sys.path.insert(0, str(CLIENT_SOURCE))


@pytest.fixture(scope="session")
def plain_http():
    """The HTTPS redirect off while the live server runs (as tests/browser/conftest.py does): its
    middleware reads the setting once, when it starts, and pytest-django's own settings change
    (ALLOWED_HOSTS) sits inside this one, so it lasts the session."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture
def plain_live_server(plain_http, live_server):
    return live_server
