"""The language a person reads their emails and notices in: the one place that decides it."""

from django.conf import settings


def language_for(user) -> str:
    """The person's language; the site's default until people have a language setting of their own
    (the accounts settings wire it here, and every email and notice follows)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE
