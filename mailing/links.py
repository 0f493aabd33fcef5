"""Absolute links for emails and notifications: a path on this site made clickable anywhere."""

from django.conf import settings


def absolute(path: str) -> str:
    """`path` ("/experiments/x/") on SITE_URL; a URL that is absolute already is left as it is."""
    if not path or "://" in path:
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")
