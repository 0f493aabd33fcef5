"""Bahasa Indonesia in tests without a committed .mo: locale/id's catalogues (django.po, and
djangojs.po for the scripts), the ones people read, compiled into a scratch folder put first in
LOCALE_PATHS."""

import subprocess
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def compile_indonesian(folder: Path) -> Path:
    target = folder / "id" / "LC_MESSAGES"
    target.mkdir(parents=True)
    for domain in ("django", "djangojs"):
        source = LOCALE / "id" / "LC_MESSAGES" / f"{domain}.po"
        subprocess.run(["msgfmt", "--check-format", "-o", str(target / f"{domain}.mo"), str(source)], check=True)
    return folder
