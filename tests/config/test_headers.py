"""Content-Security-Policy on every page, without unsafe-inline; nothing inline left for it to block."""

import re
from pathlib import Path

import pytest

from tests.experiments.web import https_client

ROOT = Path(__file__).resolve().parents[2]
INLINE = [
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"<[^>]*\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
]


def _policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/experiments/", "/accounts/tokens/"])
def test_pages_carry_a_policy_without_unsafe_inline(url, proposer):
    response = https_client(None if url == "/accounts/login/" else proposer).get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_error_pages_carry_it_too():
    response = https_client().get("/no-such-page/")
    assert response.status_code == 404 and "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_keep_their_own_same_origin_policy(url, proposer):
    # Swagger UI and Redoc inject inline styles and start from an inline script (drf-spectacular's
    # templates): these two pages, and only they, allow inline, still nothing from off this server.
    policy = _policy(https_client(proposer).get(url))
    assert policy["default-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]


def test_no_template_or_script_has_anything_inline():
    found = []
    for path in [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static" / "js").rglob("*.js")]:
        text = path.read_text()
        found += [f"{path.relative_to(ROOT)}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert found == []


@pytest.mark.django_db
def test_the_minutes_print_button_is_wired_by_a_static_script():
    assert "window.print()" in (ROOT / "static" / "js" / "print.js").read_text()
    assert "data-print" in (ROOT / "templates" / "reviews" / "minutes.html").read_text()
