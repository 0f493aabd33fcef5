"""The browser tests that run in both languages: each person reads Pagar in the language under
test (their accounts.PersonSettings), and the test expects the catalogue's own words for it."""

import pytest
from django.utils import translation

from accounts.models import PersonSettings

LANGUAGES = ("en", "id")
in_both_languages = pytest.mark.parametrize("language", LANGUAGES)


def speaks(language, *people):
    """These people read Pagar in `language` from their next page on."""
    for person in people:
        PersonSettings.objects.update_or_create(user=person, defaults={"language": language})


def words(language):
    """say(msgid, **values): what a page in `language` says for that message."""

    def say(msgid, **values):
        with translation.override(language):
            said = translation.gettext(msgid)
        return said % values if values else said

    return say
