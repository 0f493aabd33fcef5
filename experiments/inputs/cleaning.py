"""The rule for text from outside, and the limits on how deep and how large a body may be.

PostgreSQL text cannot hold NUL, and no field of this app means anything by other control
characters; tab and line breaks are kept (free text such as reasons and comments has them).
Nesting is limited so that no parser recurses deep enough to fail (1,000 `[` raised
RecursionError in json.loads).
"""

import io
import re

import ijson
from django.utils.translation import gettext as _

from experiments.errors import DomainError, Invalid

MAX_DEPTH = 32
FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# JSON's \ud800 escapes decode to lone surrogates, which no database encoding can store.
LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")
JSON_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
BRACKETS = re.compile(rb"[\[\]{}]")


class TooLarge(DomainError):
    """A body over its size limit, refused before it is read: 413."""

    status_code = 413
    code = "too_large"


def text_problem(text: str) -> str | None:
    """Why `text` cannot be taken, or None."""
    if LONE_SURROGATES.search(text):
        return _("Must be valid Unicode text (it holds a lone surrogate).")
    found = FORBIDDEN_CHARACTERS.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("Must not contain NUL characters.")
    return _("Must not contain control characters (character %(code)s).") % {"code": f"U+{ord(found.group()):04X}"}


def printable(name: str) -> str:
    """A field name as it can be shown and stored: forbidden characters written as escapes."""
    return FORBIDDEN_CHARACTERS.sub(lambda found: f"\\x{ord(found.group()):02x}", name)


def problems_in(data, path: str = "") -> list[dict]:
    """{"field", "message"} for each string (value or object key) in `data` that breaks the rule.

    `data` is already limited to MAX_DEPTH levels, so walking it cannot recurse too deep.
    """
    problems = []
    if isinstance(data, str):
        message = text_problem(data)
        if message:
            problems.append({"field": path or "body", "message": message})
    elif isinstance(data, dict):
        for key, value in data.items():
            key_text = printable(str(key))
            field = f"{path}.{key_text}" if path else key_text
            message = text_problem(str(key))
            if message:
                problems.append({"field": field, "message": _("Field name: %(problem)s") % {"problem": message}})
                continue
            problems.extend(problems_in(value, field))
    elif isinstance(data, (list, tuple)):
        for index, value in enumerate(data):
            problems.extend(problems_in(value, f"{path}[{index}]"))
    return problems


def refuse_problems(problems: list[dict]) -> None:
    if problems:
        first = problems[0]
        raise Invalid(_("%(field)s: %(message)s") % first, problems)


def too_deep(field: str) -> Invalid:
    return Invalid(
        _("%(field)s is nested more than %(depth)d levels deep.") % {"field": field, "depth": MAX_DEPTH}, field=field
    )


def field_of_prefix(prefix: str) -> str:
    """ijson's dotted prefix ("rows.item.unit") as the field a person reads: its first name."""
    return prefix.split(".", 1)[0] if prefix and not prefix.startswith("item") else "body"


def check_json_depth(body: bytes) -> bool:
    """Raise Invalid when the JSON in `body` nests deeper than MAX_DEPTH; True when it parsed.

    Streams the body through ijson's events (no recursion, nothing built). A body that is not JSON
    answers False and is left to the JSON parser, which says why.
    """
    depth = 0
    try:
        for prefix, event, _value in ijson.parse(io.BytesIO(body)):
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > MAX_DEPTH:
                    raise too_deep(field_of_prefix(prefix))
            elif event in ("end_map", "end_array"):
                depth -= 1
    except ijson.JSONError:
        # Not JSON to ijson; a laxer parser may still read it, so still refuse deep nesting.
        _check_bracket_depth(body)
        return False
    return True


def _check_bracket_depth(body: bytes) -> None:
    depth = 0
    for found in BRACKETS.finditer(JSON_STRINGS.sub(b'""', body)):
        depth += 1 if found.group() in (b"[", b"{") else -1
        if depth > MAX_DEPTH:
            raise too_deep("body")
