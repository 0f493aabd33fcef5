"""The client package lives in clients/python (its own project, not installed in Pagar's
environment): tests import it from there. Its HTTP tests talk to pytest-django's live server, which
speaks plain HTTP."""

import sys
from pathlib import Path

import pytest
from django.test import override_settings

CLIENT_SOURCE = Path(__file__).resolve().parents[2] / "clients" / "python"
if str(CLIENT_SOURCE) not in sys.path:
    sys.path.insert(0, str(CLIENT_SOURCE))


@pytest.fixture(scope="session", autouse=True)
def plain_http_for_the_live_server():
    """Session-scoped and autouse so it is in place before live_server builds its middleware."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield
