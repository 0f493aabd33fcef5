"""Turn an upload body (JSON or CSV) into numbered rows, one at a time, or one body-level refusal.

The body is a file (the request spooled to disk, or the uploaded file), read as a stream: no more
than one row is in memory at once, so a 32 MB batch costs about what its checked rows cost, not
the 20-fold a parsed document costs. `RowStream` may be iterated again (idempotency retries the
batch). A problem with the body as a whole (not JSON, a bad header, ...) surfaces as `BodyError`
while iterating; ingestion then answers with it instead of any row's errors.

Rows keep the numbers the sender sees: the 1-based position of a JSON row, and for CSV also the
file line (the header is line 1). Values stay as sent (text from CSV, JSON values as they are);
ingestion.py checks each field, so JSON and CSV meet the same rules. What the sender reads is in
their language (gettext; the request's language); the fields it names are the columns as sent.
"""

import codecs
import csv
import io
from dataclasses import dataclass, field

import ijson
from django.utils.translation import gettext as _
from ijson.common import ObjectBuilder

from experiments.inputs.cleaning import MAX_DEPTH, printable, text_problem

OUTCOME_COLUMNS = ("experiment", "unit", "arm", "metric", "value", "time")
DAILY_COLUMNS = ("experiment", "arm", "metric", "day", "n", "successes", "sum", "sum_sq", "promoters", "detractors")
# Optional extras: a catalogue segment (exploration per segment) and CUPED's pre-period covariate
# (per unit its value before the experiment; per day the sums over the row's units).
OUTCOME_EXTRAS = ("segment", "pre_value")
DAILY_EXTRAS = ("segment", "pre_sum", "pre_sum_sq", "pre_cross")
# Columns a file may leave out: each metric kind needs only some of the daily sums (ingestion
# checks which), and on the upload page the experiment is the page's.
OPTIONAL_COLUMNS = {
    "outcomes": set(OUTCOME_EXTRAS),
    "daily": {"successes", "sum", "sum_sq", "promoters", "detractors", *DAILY_EXTRAS},
}
COLUMNS = {"outcomes": OUTCOME_COLUMNS + OUTCOME_EXTRAS, "daily": DAILY_COLUMNS + DAILY_EXTRAS}
TEMPLATE_COLUMNS = {"outcomes": OUTCOME_COLUMNS, "daily": DAILY_COLUMNS}

JSON_TYPES = ("application/json",)
CSV_TYPES = ("text/csv", "application/csv")


@dataclass(slots=True)
class Row:
    number: int  # 1-based data row, as the sender counts them
    fields: dict
    line: int | None = None  # CSV only: the file line the row ends on


@dataclass(slots=True)
class Parsed:
    """Either rows (a list, or a RowStream read as it is iterated), or a refusal of the whole body
    (status, payload) before any row is read."""

    rows: object = field(default_factory=list)
    refusal: tuple[int, dict] | None = None


class BodyError(Exception):
    def __init__(self, status: int, detail: str, errors=None):
        super().__init__(detail)
        self.status = status
        self.payload = {"detail": detail}
        if errors:
            self.payload["errors"] = errors
            self.payload["error_count"] = len(errors)


class RowStream:
    """The rows of a body file, parsed afresh on each iteration; BodyError when the body is unreadable."""

    def __init__(self, file, read_rows, *args):
        self.file = file
        self.read_rows = read_rows
        self.args = args

    def __iter__(self):
        self.file.seek(0)
        return self.read_rows(self.file, *self.args)


def parse_body(body, content_type: str, kind: str) -> Parsed:
    """Rows of an API body (a binary file) by its Content-Type: JSON `{"rows": [...]}` or CSV with a header row."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in JSON_TYPES:
        return Parsed(rows=RowStream(body, _json_rows))
    if media_type in CSV_TYPES:
        return Parsed(rows=RowStream(body, _csv_rows, kind, True))
    detail = _('Send rows as application/json ({"rows": [...]}) or text/csv with a header row, not %(type)s.') % {
        "type": media_type or _("no Content-Type")
    }
    return Parsed(refusal=(415, BodyError(415, detail).payload))


def parse_csv_upload(body, kind: str) -> Parsed:
    """A file from the upload page (a binary file): always CSV."""
    return Parsed(rows=RowStream(body, _csv_rows, kind, False))


def _json_rows(file):
    """Rows of `{"rows": [...]}`, built one at a time from ijson's events (no recursion, no document)."""
    if file.read(3) != codecs.BOM_UTF8:  # some tools write a byte-order mark
        file.seek(0)
    events = ijson.parse(file, use_float=True)
    try:
        yield from _rows_from_events(events)
        for _event in events:  # anything after the object is an error ijson reports
            pass
    except ijson.JSONError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else _("it ends too early")
        if "invalid char" in reason:
            reason += " " + _("(NaN and Infinity are not JSON numbers; send finite numbers)")
        raise BodyError(400, _("The body is not valid JSON: %(reason)s.") % {"reason": reason}) from None


def _rows_from_events(events):
    shape = _('Send a JSON object with the rows in a list: {"rows": [{...}, ...]}.')
    _prefix, event, _value = next(events, ("", None, None))
    if event != "start_map":
        for _event in events:  # a syntax error anywhere is told first, as when the whole body was parsed
            pass
        raise BodyError(400, shape)
    seen_rows = False
    for prefix, event, value in events:
        if prefix == "" and event == "end_map":
            break
        # A top-level key: only "rows".
        if value != "rows":
            raise BodyError(400, _('Unknown top-level field %(field)r: the body holds only "rows".') % {"field": value})
        seen_rows = True
        _prefix, event, value = next(events)
        if event != "start_array":
            raise BodyError(400, _('"rows" must be a list of objects.'))
        for number, (_prefix, event, value) in enumerate(events, 1):
            if event == "end_array":
                break
            item = _build(events, event, value) if event in ("start_map", "start_array") else value
            # A non-object row is kept as an empty row with a marker; the row check reports it.
            yield Row(number, item if isinstance(item, dict) else {"__not_an_object__": item})
    if not seen_rows:
        raise BodyError(400, shape)


def _build(events, event, value):
    """One row value from its opening event to its closing one, refused past MAX_DEPTH levels."""
    builder = ObjectBuilder()
    builder.event(event, value)
    depth = 1
    while depth:
        _prefix, event, value = next(events)
        if event in ("start_map", "start_array"):
            depth += 1
            if depth > MAX_DEPTH - 2:  # the body object and "rows" are two levels
                raise BodyError(400, _("A row is nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH})
        elif event in ("end_map", "end_array"):
            depth -= 1
        builder.event(event, value)
    return builder.value


def _csv_rows(file, kind: str, experiment_column: bool):
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")  # Excel writes a byte-order mark
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if header is None:
            raise BodyError(400, _("The file is empty: it needs a header row and at least one data row."))
        header = [name.strip().lower() for name in header]
        _check_header(header, kind, experiment_column)
        number = 0
        for values in reader:
            if not values or not "".join(values).strip():
                continue  # blank lines (often at the end of a file) are not rows
            number += 1
            if len(values) != len(header):
                fields = {"__width__": (len(values), len(header))}
            else:
                fields = {
                    name: value.strip() for name, value in zip(header, values, strict=False) if value.strip() != ""
                }
            yield Row(number, fields, line=reader.line_num)
    except UnicodeDecodeError:
        raise BodyError(400, _("The file is not UTF-8 text: save it as CSV UTF-8.")) from None
    except csv.Error as error:
        raise BodyError(
            400, _("The CSV cannot be read at line %(line)d: %(error)s.") % {"line": reader.line_num, "error": error}
        ) from None
    finally:
        text.detach()  # leave the file open for the next iteration


def _check_header(header: list[str], kind: str, experiment_column: bool):
    columns = COLUMNS[kind]
    if len(header) == 1 and ";" in header[0]:
        raise BodyError(400, _("The header has one column containing ';': separate columns with commas."))
    errors = []
    seen = set()
    for name in header:
        problem = text_problem(name)
        if problem:
            errors.append({"row": None, "line": 1, "field": printable(name), "message": problem})
        elif name in seen:
            errors.append({"row": None, "line": 1, "field": name, "message": _("This column appears twice.")})
        elif name not in columns:
            errors.append(
                {
                    "row": None,
                    "line": 1,
                    "field": name,
                    "message": _("Unknown column; the columns are %(columns)s.") % {"columns": ", ".join(columns)},
                }
            )
        seen.add(name)
    optional = OPTIONAL_COLUMNS[kind] | (set() if experiment_column else {"experiment"})
    for name in columns:
        if name not in seen and name not in optional:
            errors.append(
                {"row": None, "line": 1, "field": name, "message": _("This column is missing from the header row.")}
            )
    if errors:
        raise BodyError(400, _("The header row does not match the template; nothing was written."), errors)


def template_csv(kind: str) -> str:
    """The header row of the CSV template for `kind`."""
    return ",".join(TEMPLATE_COLUMNS[kind]) + "\r\n"
