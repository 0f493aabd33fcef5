"""The one CSV writer for every export.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return, which some strip
before looking) as a formula: `=HYPERLINK(...)` in a title becomes a link that leaks data. Such
text cells get a leading apostrophe, the OWASP way; numbers are written as they are, since a
number cannot carry a formula and "-3" must stay a number.

The header row is in the requester's language: each export names its columns with
pgettext_lazy("CSV column", "decided_at"), written when the CSV is, in the active language (the
person's, set by the middleware): "decided_at" in English, "diputuskan_pada" in Bahasa Indonesia.
The rows are the data, as stored.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float | Decimal:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """The CSV document: a header row, then the rows, every cell passed through safe_cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(v) for v in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()
