"""Bahasa Indonesia in tests without a committed .mo: locale/id's catalogue, the one people read,
compiled into a scratch folder put first in LOCALE_PATHS."""

import contextlib
from pathlib import Path

from django.conf import settings
from django.test import override_settings
from django.utils import translation

from tests.i18n.catalogue import compile_indonesian

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"


def compiled_catalogue(folder: Path) -> Path:
    return compile_indonesian(folder)


@contextlib.contextmanager
def in_indonesian(catalogue: Path):
    with override_settings(LOCALE_PATHS=[str(catalogue), *settings.LOCALE_PATHS]), translation.override("id"):
        yield
