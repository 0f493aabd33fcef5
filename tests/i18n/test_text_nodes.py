"""The walker's eyes: which text a person sees, and which of it is English left untranslated."""

from tests.i18n.text_nodes import english_words, visible_texts

PAGE = """<html><body><header><a>Dashboard</a></header><main>
<h1>Eksperimen</h1><p title="Filter experiments">Shorter chat greeting 3 · 4 Des 2026</p>
<code>exp-3</code><script>var x = "Hello there";</script><span class="mono">walk-draft</span>
<section aria-labelledby="decisions-heading"><h2>Decisions and comments</h2></section>
<input type="submit" value="Save"></main></body></html>"""


def test_only_the_main_region_and_what_a_person_reads_is_collected():
    texts = visible_texts(PAGE, skipped_sections=("decisions",))
    assert texts == ["Eksperimen", "Filter experiments", "Shorter chat greeting 3 · 4 Des 2026", "Save"]
    assert "Dashboard" in visible_texts(PAGE, region=None)


def test_data_numbers_and_words_shared_by_both_languages_are_not_english_left_over():
    data = ["Shorter chat greeting 3"]
    assert english_words("Shorter chat greeting 3 · 4 Jan 2027", data) == []
    assert english_words("Status: CSV · API", data) == []
    assert english_words("Filter experiments", data) == ["Filter", "experiments"]
