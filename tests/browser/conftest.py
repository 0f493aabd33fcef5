"""Chromium (Debian's, not a Playwright download) against pytest-django's live server."""

import os
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="session", autouse=True)
def plain_http_for_the_live_server():
    """The live server speaks plain HTTP: no HTTPS redirect, cookies without the Secure flag.

    Session-scoped and autouse so it is in place before live_server builds its middleware.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module, stopped before the next module runs.

    Playwright's sync API runs an event loop in this thread, so Django counts the tests' own
    (synchronous) ORM calls as async-unsafe; allow them only while Playwright is alive, and never
    leak the variable into later tests (the deploy check rightly refuses it).
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"The browser tests need Debian's chromium at {CHROMIUM}: apt-get install chromium")
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def browser_for(chromium, live_server):
    """browser_for(user): a signed-in page of its own (separate cookies per person)."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    contexts = []

    def signed_in(user):
        context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button:has-text('Log in')")
        expect(page.locator("details.user-menu")).to_be_visible()  # Log out sits inside it
        return page

    yield signed_in
    for context in contexts:
        context.close()
