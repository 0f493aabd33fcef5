"""Email subjects: every place that builds one goes through email_subject().

A newline in a header is refused by Django (BadHeaderError), so a title typed with a line break
would silently stop every email about its experiment. Subjects are therefore built from a
one-line form of each part.
"""

MAX_SUBJECT = 200


def one_line(text) -> str:
    """The text with every run of whitespace (newlines, tabs, Unicode line separators) as one space."""
    return " ".join(str(text).split())


def email_subject(*parts) -> str:
    """ "[Pagar] part: part", each part on one line, the whole cut at MAX_SUBJECT characters."""
    subject = "[Pagar] " + ": ".join(p for p in (one_line(part) for part in parts) if p)
    return subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 1] + "…"
