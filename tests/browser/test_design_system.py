"""One design system: the style guide at desktop and phone width, the one-line header, the phone
menu, and every page of the demo fitting a 390 px phone without sideways scrolling."""

import io
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import expect

from cadence.styleguide import COMPONENTS
from experiments.demo_data import DEMO_PASSWORD
from tests.browser.conftest import ARTIFACTS
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Not pages: files, the API, the admin's own look, and the feed.
NOT_PAGES = ("/api/", "/admin/", "/static/", "/i18n/", "/accounts/logout/")
FILE_ENDINGS = (".csv", ".md", ".ics", ".pdf", ".json", ".yaml")


@pytest.fixture
def signed_in_at(chromium, live_server):
    """signed_in_at(username, password, viewport): a signed-in page of its own at that size."""
    contexts = []

    def open_page(username, password, viewport):
        context = chromium.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button:has-text('Log in')")
        expect(page.locator("details.user-menu")).to_be_attached()
        return page

    yield open_page
    for context in contexts:
        context.close()


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_style_guide_at_desktop_and_phone_width(signed_in_at, db):
    make_user("sol_designer")
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = signed_in_at("sol_designer", PASSWORD, viewport)
        page.goto("/style/")
        expect(page.get_by_role("heading", name="Style guide", level=1)).to_be_visible()
        for anchor, heading, _usage in COMPONENTS:
            expect(page.locator(f"#{anchor}-heading")).to_have_text(str(heading))
        # The example table is a table on the desktop and labelled cards on the phone.
        first_cell = page.locator("#table tbody tr").first.locator("td").nth(1)
        expect(first_cell).to_have_attribute("data-label", "Status")
        display = first_cell.evaluate("cell => getComputedStyle(cell).display")
        assert display == ("block" if label == "phone" else "table-cell")
        page.locator("#buttons summary").click()
        expect(page.locator("#buttons pre")).to_contain_text('<button type="button" class="danger">')
        shoot(page, f"design-styleguide-{label}")
        assert scroll_width(page) <= viewport["width"], f"the style guide scrolls sideways at {label} width"


def test_the_header_is_one_line_at_laptop_widths(signed_in_at, db):
    # A long name and every tool: a staff member who may propose.
    make_user("kim_standards_keeper_long", "proposer", superuser=True)
    for viewport in (DESKTOP, LAPTOP):
        page = signed_in_at("kim_standards_keeper_long", PASSWORD, viewport)
        expect(page.locator(".menu-button")).to_be_hidden()
        expect(page.get_by_role("link", name="Propose", exact=True)).to_be_visible()
        items = page.locator(".brand, .main-menu a, .header-tools > *")
        centres = [box["y"] + box["height"] / 2 for box in (items.nth(i).bounding_box() for i in range(items.count()))]
        assert max(centres) - min(centres) < 8, f"the header wraps at {viewport['width']} px: {centres}"
        assert page.locator(".site-header").bounding_box()["height"] < 90
        assert scroll_width(page) <= viewport["width"]


def test_the_phone_menu_opens_and_holds_the_user_menu(signed_in_at, db):
    make_user("pat_phone", "proposer")
    page = signed_in_at("pat_phone", PASSWORD, PHONE)
    experiments = page.get_by_role("link", name="Experiments", exact=True)
    expect(experiments).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] < 90  # no 240 px menu on every page
    page.locator(".menu-button").click()
    expect(experiments).to_be_visible()
    expect(page.get_by_role("link", name="Waiting for me")).to_be_visible()
    page.locator("details.user-menu summary").click()
    expect(page.get_by_role("link", name="API docs")).to_be_visible()
    shoot(page, "design-phone-menu-open")
    assert scroll_width(page) <= PHONE["width"]
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/accounts/login/")


def test_the_language_switch_returns_to_the_same_page(signed_in_at, db):
    make_user("lin_language")
    page = signed_in_at("lin_language", PASSWORD, DESKTOP)
    page.goto("/ideas/?sort=new")
    page.get_by_role("button", name="ID", exact=True).click()
    expect(page).to_have_url("/ideas/?sort=new")
    # The choice is remembered; LocaleMiddleware (the i18n work) then serves the page in it.
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies["django_language"] == "id"


def is_page(href: str) -> bool:
    path = urlsplit(href).path
    return path.startswith("/") and not path.startswith(NOT_PAGES) and not path.endswith(FILE_ENDINGS)


def test_every_demo_page_fits_a_phone(seeded_catalogues, signed_in_at):
    """Walk the demo as the administrator, following the site's own links, at 390 px wide."""
    import_module("cadence.ideas.migrations.0002_seed_scoring_models").seed(apps, None)
    call_command("seed_demo", stdout=io.StringIO())
    page = signed_in_at("admin", DEMO_PASSWORD, PHONE)
    to_visit, seen, too_wide = ["/"], set(), []
    while to_visit and len(seen) < 80:
        path = to_visit.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        width = scroll_width(page)
        if width > PHONE["width"]:
            too_wide.append(f"{path} ({width} px)")
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        for href in hrefs:
            target = urlsplit(href).path
            if is_page(href) and target not in seen and not urlsplit(href).netloc:
                to_visit.append(target)
    assert len(seen) >= 30, f"the walk found only {len(seen)} pages"
    assert not too_wide, "pages wider than a 390 px phone: " + ", ".join(too_wide)
