"""The browser tests that run in both languages: each person reads Pagar in the language under
test (their accounts.PersonSettings), and the test expects the catalogue's own words for it."""

import re

import pytest
from django.utils import translation
from django.utils.translation import trans_real

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


# Every visible text node's text: a chip, a label or a link each counts on its own.
VISIBLE_TEXTS = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, template") || !parent.checkVisibility()) continue;
    if (node.textContent.trim()) texts.push(node.textContent);
  }
  return texts;
}"""


def english_left(page) -> list[str]:
    """What the page still says in English although the Indonesian catalogue has its own words
    for it: each visible text (and each part of it between " · " or ": ") that is an English
    message translated otherwise, in any case ("requested changes" from "Requested changes").
    Names, keys and what people typed are not messages, nor are the catalogues' names
    (touchpoints, segments, metrics, sensitive categories: data, kept as entered)."""
    from experiments.models import Metric, Segment, SensitiveCategory, Touchpoint

    catalogue = trans_real.translation("id")._catalog
    english = {
        _plain(msgid)
        for msgid, said in catalogue.items()
        if isinstance(msgid, str) and msgid and said != msgid and "%(" not in msgid
    }
    models = (Metric, Segment, SensitiveCategory, Touchpoint)
    data = {_plain(name) for model in models for name in model.objects.values_list("name", flat=True)}
    parts = {_plain(part) for text in page.evaluate(VISIBLE_TEXTS) for part in re.split(r" · |: |\(|\)", text)}
    return sorted(part for part in parts if part in english - data and part != part.upper())


def _plain(text):
    return " ".join(text.split()).strip(".:…·,").strip().lower()
