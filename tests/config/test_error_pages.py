"""The site's own error pages, also with DEBUG on when PRODUCTION_ERROR_PAGES says so (the demo),
and each error written to the console once."""

import io
import logging

import pytest
from django.urls import path

import config.urls
from tests.experiments.web import https_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


def crash(request):
    raise RuntimeError("the demo's crash")


urlpatterns = [path("__crash__/", crash), *config.urls.urlpatterns]


@pytest.fixture
def demo_settings(settings):
    settings.DEBUG = True
    settings.PRODUCTION_ERROR_PAGES = True
    settings.ROOT_URLCONF = __name__
    return settings


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("url", ["/no/such/page/", "/experiments/no-such-experiment/"])
def test_a_missing_page_is_the_site_s_404_in_the_demo(demo_settings, outsider, url):
    response = https_client(outsider).get(url)
    assert response.status_code == 404
    page = _text(response)
    assert "Nothing here" in page and "Error 404" in page
    assert "Log out" in page  # the site's layout, with its menu
    assert "URLconf" not in page and "technical" not in page.lower()


def test_a_draft_someone_may_not_see_is_the_same_404(demo_settings, proposer, approver, outsider):
    draft = make_experiment(proposer, approver)
    response = https_client(outsider).get(draft.get_absolute_url())
    assert response.status_code == 404 and "Nothing here" in _text(response)
    assert draft.title not in _text(response)


def test_without_the_setting_debug_keeps_django_s_technical_404(demo_settings, outsider):
    demo_settings.PRODUCTION_ERROR_PAGES = False
    response = https_client(outsider).get("/no/such/page/")
    assert response.status_code == 404 and "Nothing here" not in _text(response)


def test_a_crash_is_the_site_s_500_and_is_logged_once(demo_settings, outsider, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = https_client(outsider).get("/__crash__/")
    assert response.status_code == 500
    page = _text(response)
    assert "Something went wrong on our side" in page and "Error 500" in page
    assert "the demo&#x27;s crash" not in page and "Traceback" not in page  # nothing internal shown
    crashes = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert len(crashes) == 1 and crashes[0].exc_info[0] is RuntimeError


def test_a_403_is_the_site_s_page(demo_settings, outsider):
    response = https_client(outsider).get("/experiments/new/")
    assert response.status_code == 403
    page = _text(response)
    assert "You cannot do that here" in page and "Error 403" in page and "proposer role" in page


@pytest.fixture
def console():
    """What the configured console handlers write (pytest's own capture handlers aside)."""
    written = io.StringIO()
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    handlers = {h for lg in loggers for h in getattr(lg, "handlers", []) if type(h) is logging.StreamHandler}
    previous = {h: h.setStream(written) for h in handlers}
    yield written
    for handler, stream in previous.items():
        handler.setStream(stream)


def test_a_403_s_traceback_is_written_once_with_debug_on(settings, outsider, console):
    settings.DEBUG = True  # Django's own console handler writes only with DEBUG: the demo's case
    response = https_client(outsider).get("/experiments/new/")
    assert response.status_code == 403
    written = console.getvalue()
    assert written.count("Forbidden (Permission denied): /experiments/new/") == 1
    assert written.count("Traceback (most recent call last)") == 1
