"""The one rule for a unit id, used by assignment and by data in alike.

A unit id is cleaned the same way at both doors, so the unit an outcome names is the unit that
was assigned: surrounding whitespace is dropped (" u1 " and "u1" are one customer), whole numbers
become text, and an empty id, one with control characters or one over 200 characters is refused.
"""

import re

from django.utils.translation import gettext as _

UNIT_MAX_LENGTH = 200  # AssignedUnit.unit_id and Observation.unit_id
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")  # tab and line breaks too: an id is one token


class BadUnitId(ValueError):
    """Why a unit id cannot be taken (`message`, for the field that held it)."""

    def __init__(self, message: str, *, missing: bool = False):
        super().__init__(message)
        self.message = message
        self.missing = missing


def clean_unit_id(value) -> str:
    """The unit id as stored and hashed, or BadUnitId saying what is wrong."""
    if value is None or value == "":
        raise BadUnitId(_("Required."), missing=True)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadUnitId(_("Must be a string (or a whole number)."))
    unit = str(value).strip()
    if not unit:
        raise BadUnitId(_("Must not be blank."))
    if CONTROL_CHARACTERS.search(unit):
        raise BadUnitId(_("Must not contain control characters."))
    if len(unit) > UNIT_MAX_LENGTH:
        raise BadUnitId(
            _("At most %(limit)d characters; this one has %(length)d.")
            % {"limit": UNIT_MAX_LENGTH, "length": len(unit)}
        )
    return unit
