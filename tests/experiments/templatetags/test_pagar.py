"""A standard's evidence table words each metric's engine status, with harm standing out."""

import pytest
from django.template.loader import render_to_string


def status_cell(status) -> str:
    row = {"metric": "fcr", "role": "success", "status": status}
    html = render_to_string("standards/_evidence_row.html", {"m": row})
    cell = html.split("</td>")[2]
    return cell[cell.rindex("<td") :].split(">", 1)[1]  # the third cell's content, whatever its attributes


@pytest.mark.parametrize(
    "status, cell",
    [
        ("superior", "Better"),
        ("non_inferior", "Not harmed"),
        ("harm", '<strong class="warn-text">Harmed</strong>'),
        ("not_enough_data", "Not enough data"),
        ("undecided", "Undecided"),
        ("", "-"),
        (None, "-"),
    ],
)
def test_evidence_row_words_the_status(status, cell):
    assert status_cell(status) == cell


def test_an_unknown_status_is_shown_escaped():
    assert status_cell("<b>odd</b>") == "&lt;b&gt;odd&lt;/b&gt;"
