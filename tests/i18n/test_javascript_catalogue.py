"""The scripts' sentences and number formats come from Pagar itself (/jsi18n/, Django's
JavaScriptCatalog over locale/<lang>/LC_MESSAGES/djangojs.po), in the person's language."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts import preferences
from tests.experiments.web import https_client

pytestmark = pytest.mark.django_db

SCRIPTS = Path(settings.BASE_DIR) / "static" / "js"


def _catalogue(user) -> str:
    response = https_client(user).get(reverse("javascript-catalog"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    return response.content.decode()


def test_an_indonesian_person_gets_the_scripts_sentences_and_numbers_in_indonesian(proposer, indonesian):
    preferences.save_language(proposer, "id")
    catalogue = _catalogue(proposer)
    assert "Terunggah dan diterima." in catalogue
    assert "Disarankan: %(name)s, pemilik titik kontak %(touchpoint)s." in catalogue
    # 12.500,5: the same separators as the server's own Indonesian pages.
    assert '"DECIMAL_SEPARATOR": ","' in catalogue and '"THOUSAND_SEPARATOR": "."' in catalogue


def test_an_english_person_gets_the_english_sentences_and_numbers(proposer, indonesian):
    preferences.save_language(proposer, "en")
    catalogue = _catalogue(proposer)
    assert "Terunggah" not in catalogue
    assert '"DECIMAL_SEPARATOR": "."' in catalogue and '"THOUSAND_SEPARATOR": ","' in catalogue


def test_every_page_loads_the_catalogue_before_its_scripts(proposer):
    html = https_client(proposer).get(reverse("experiment-list")).content.decode()
    catalogue = html.index(f'src="{reverse("javascript-catalog")}"')
    assert catalogue < html.index("js/numbers.js") < html.index("js/shell.js")


def test_no_script_writes_an_english_sentence_outside_gettext():
    """A quoted sentence (three words or more) assigned to what a person reads goes through gettext()."""
    shown = re.compile(r"""(?:textContent|label|text|title)\s*[:=]\s*(["'`])([A-Z][^"'`]*\s\w+\s\w+[^"'`]*)\1""")
    found = {
        f"{path.name}: {match.group(2)}"
        for path in SCRIPTS.glob("*.js")
        for match in shown.finditer(path.read_text(encoding="utf-8"))
    }
    assert not found, sorted(found)
