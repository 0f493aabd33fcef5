"""Bahasa Indonesia in tests whether or not the lead has merged the i18n helper's fragments yet:
locale/id's catalogues with locale/fragments/i18n.po (i18n-js.po for the scripts) compiled into a
scratch folder put first in LOCALE_PATHS. After the merge the fragments add nothing new."""

import subprocess
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
FRAGMENTS = {"django": LOCALE / "fragments" / "i18n.po", "djangojs": LOCALE / "fragments" / "i18n-js.po"}


def compile_indonesian(folder: Path) -> Path:
    target = folder / "id" / "LC_MESSAGES"
    target.mkdir(parents=True)
    for domain, fragment in FRAGMENTS.items():
        merged = LOCALE / "id" / "LC_MESSAGES" / f"{domain}.po"
        sources = [str(p) for p in (fragment, merged) if p.exists()]
        if not sources:
            continue
        po = target / f"{domain}.po"
        subprocess.run(["msgcat", "--use-first", "-o", str(po), *sources], check=True)
        subprocess.run(["msgfmt", "--check-format", "-o", str(target / f"{domain}.mo"), str(po)], check=True)
    return folder
