"""Turn an upload body (JSON or CSV) into numbered rows, or one body-level refusal.

Rows keep the numbers the sender sees: the 1-based position of a JSON row, and for CSV also the
file line (the header is line 1). Values stay as sent (text from CSV, JSON values as they are);
ingestion.py checks each field, so JSON and CSV meet the same rules.
"""
import csv
import io
import json
import math
from dataclasses import dataclass, field

OUTCOME_COLUMNS = ("experiment", "unit", "arm", "metric", "value", "time")
DAILY_COLUMNS = ("experiment", "arm", "metric", "day", "n", "successes", "sum", "sum_sq", "promoters", "detractors")
# Columns a file may leave out: each metric kind needs only some of the daily sums (ingestion
# checks which), and on the upload page the experiment is the page's.
OPTIONAL_COLUMNS = {"outcomes": set(), "daily": {"successes", "sum", "sum_sq", "promoters", "detractors"}}
COLUMNS = {"outcomes": OUTCOME_COLUMNS, "daily": DAILY_COLUMNS}

JSON_TYPES = ("application/json",)
CSV_TYPES = ("text/csv", "application/csv")


@dataclass
class Row:
    number: int  # 1-based data row, as the sender counts them
    fields: dict
    line: int | None = None  # CSV only: the file line the row ends on


@dataclass
class Parsed:
    """Either rows, or a refusal of the whole body (status, payload) before any row is read."""

    rows: list[Row] = field(default_factory=list)
    refusal: tuple[int, dict] | None = None


class BodyError(Exception):
    def __init__(self, status: int, detail: str, errors=None):
        super().__init__(detail)
        self.status = status
        self.payload = {"detail": detail}
        if errors:
            self.payload["errors"] = errors
            self.payload["error_count"] = len(errors)


def parse_body(body: bytes, content_type: str, kind: str, *, max_rows: int) -> Parsed:
    """Parse an API body by its Content-Type: JSON `{"rows": [...]}` or CSV with a header row."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    try:
        if media_type in JSON_TYPES:
            rows = _json_rows(body)
        elif media_type in CSV_TYPES:
            rows = _csv_rows(body, kind, experiment_column=True)
        else:
            raise BodyError(
                415, f"Send rows as application/json ({{\"rows\": [...]}}) or text/csv with a header row, not {media_type or 'no Content-Type'}."
            )
        _check_size(rows, max_rows)
    except BodyError as error:
        return Parsed(refusal=(error.status, error.payload))
    return Parsed(rows=rows)


def parse_csv_upload(body: bytes, kind: str, *, max_rows: int) -> Parsed:
    """A file from the upload page: always CSV."""
    try:
        rows = _csv_rows(body, kind, experiment_column=False)
        _check_size(rows, max_rows)
    except BodyError as error:
        return Parsed(refusal=(error.status, error.payload))
    return Parsed(rows=rows)


def _check_size(rows, max_rows):
    if not rows:
        raise BodyError(400, "The batch has no rows.")
    if len(rows) > max_rows:
        raise BodyError(413, f"A batch holds at most {max_rows:,} rows; this one has {len(rows):,}. Split it into smaller batches.")


def _refuse_constant(name):
    # Bare NaN/Infinity in JSON: keep it as a number so the row check names the row and field.
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def _json_rows(body: bytes) -> list[Row]:
    try:
        document = json.loads(body.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise BodyError(400, "The body is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise BodyError(400, f"The body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).") from None
    if not isinstance(document, dict) or "rows" not in document:
        raise BodyError(400, 'Send a JSON object with the rows in a list: {"rows": [{...}, ...]}.')
    extra = sorted(set(document) - {"rows"})
    if extra:
        raise BodyError(400, f'Unknown top-level field {extra[0]!r}: the body holds only "rows".')
    rows = document["rows"]
    if not isinstance(rows, list):
        raise BodyError(400, '"rows" must be a list of objects.')
    parsed = []
    for number, item in enumerate(rows, start=1):
        # A non-object row is kept as an empty row with a marker; the row check reports it.
        parsed.append(Row(number, item if isinstance(item, dict) else {"__not_an_object__": item}))
    return parsed


def _csv_rows(body: bytes, kind: str, *, experiment_column: bool) -> list[Row]:
    try:
        text = body.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        raise BodyError(400, "The file is not UTF-8 text: save it as CSV UTF-8.") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise BodyError(400, "The file is empty: it needs a header row and at least one data row.")
        header = [name.strip().lower() for name in header]
        _check_header(header, kind, experiment_column)
        rows = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # blank lines (often at the end of a file) are not rows
            number = len(rows) + 1
            if len(values) != len(header):
                fields = {"__width__": (len(values), len(header))}
            else:
                fields = {name: value.strip() for name, value in zip(header, values) if value.strip() != ""}
            rows.append(Row(number, fields, line=reader.line_num))
    except csv.Error as error:
        raise BodyError(400, f"The CSV cannot be read at line {reader.line_num}: {error}.") from None
    return rows


def _check_header(header: list[str], kind: str, experiment_column: bool):
    columns = COLUMNS[kind]
    if len(header) == 1 and ";" in header[0]:
        raise BodyError(400, "The header has one column containing ';': separate columns with commas.")
    errors = []
    seen = set()
    for name in header:
        if name in seen:
            errors.append({"row": None, "line": 1, "field": name, "message": "This column appears twice."})
        elif name not in columns:
            errors.append({"row": None, "line": 1, "field": name, "message": f"Unknown column; the columns are {', '.join(columns)}."})
        seen.add(name)
    optional = OPTIONAL_COLUMNS[kind] | (set() if experiment_column else {"experiment"})
    for name in columns:
        if name not in seen and name not in optional:
            errors.append({"row": None, "line": 1, "field": name, "message": "This column is missing from the header row."})
    if errors:
        raise BodyError(400, "The header row does not match the template; nothing was written.", errors)


def template_csv(kind: str) -> str:
    """The header row of the CSV template for `kind`."""
    return ",".join(COLUMNS[kind]) + "\r\n"
