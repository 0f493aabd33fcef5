"""bin/translations-check fails, naming the msgid, on a string nobody translated; passes on the tree."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".git", "var", "staticfiles", "test-artifacts", "schemathesis-report", "tests", "bench"}


def _copy_of_the_tree(target: Path) -> Path:
    for entry in ROOT.iterdir():
        if entry.name in SKIP:
            continue
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
        else:
            shutil.copy2(entry, target / entry.name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    return target


def _run(tree: Path):
    return subprocess.run([str(tree / "bin" / "translations-check")], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return _copy_of_the_tree(tmp_path_factory.mktemp("tree"))


def test_the_committed_catalogue_is_complete(tree):
    result = _run(tree)
    assert result.returncode == 0, result.stderr


def test_a_new_untranslated_string_fails_the_check_by_name(tree):
    page = tree / "templates" / "accounts" / "settings.html"
    page.write_text(page.read_text() + '{% translate "A sentence nobody translated" %}\n')
    result = _run(tree)
    assert result.returncode == 1
    assert 'msgid "A sentence nobody translated"' in result.stderr


def test_an_empty_or_fuzzy_translation_fails_and_a_broken_one_does_not_compile(tree):
    po = tree / "locale" / "id" / "LC_MESSAGES" / "django.po"
    text = po.read_text()
    text = text.replace('msgid "Save settings"\nmsgstr "Simpan pengaturan"', 'msgid "Save settings"\nmsgstr ""')
    text = text.replace('msgid "Your settings"\n', '#, fuzzy\nmsgid "Your settings"\n')
    text = text.replace('msgstr "Sama dengan situs (%(zone)s)"', 'msgstr "Sama dengan situs (%(zona)s)"')
    po.write_text(text)
    result = _run(tree)
    assert result.returncode == 1
    assert 'msgid "Save settings"' in result.stderr and 'msgid "Your settings"' in result.stderr
    assert "compilemessages failed" in result.stderr


def test_a_new_untranslated_script_sentence_fails_the_check_by_name(tree):
    script = tree / "static" / "js" / "upload.js"
    script.write_text(script.read_text() + 'gettext("A script sentence nobody translated");\n')
    result = _run(tree)
    assert result.returncode == 1
    assert "(djangojs)" in result.stderr and 'msgid "A script sentence nobody translated"' in result.stderr
