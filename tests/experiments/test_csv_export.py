"""The one CSV writer: a spreadsheet must never run a cell as a formula."""

import csv
import io
from decimal import Decimal

import pytest

from experiments.csv_export import csv_text, safe_cell


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil","x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Shorter chat greeting", "a=b", "", "1 - 2", "\n=1"])
def test_other_text_is_written_as_it_is(text):
    assert safe_cell(text) == text


def test_numbers_stay_numbers_and_none_is_empty():
    assert [safe_cell(v) for v in (-3, -1.5, Decimal("-2.25"), None)] == [-3, -1.5, Decimal("-2.25"), ""]


def test_the_document_neutralises_header_and_every_row():
    text = csv_text(["=a", "b"], [["=1", -1], ["@x", "\ty"]])
    assert list(csv.reader(io.StringIO(text))) == [["'=a", "b"], ["'=1", "-1"], ["'@x", "'\ty"]]
