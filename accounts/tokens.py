"""The one place that issues, finds and revokes API tokens.

Tokens are 256 random bits, so a plain SHA-256 digest is enough to store them (a slow password
hash protects guessable secrets; these are not guessable).
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone

from accounts.models import ApiToken

# last_used_at is written at most this often per token: not one UPDATE per API call.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`, valid for API_TOKEN_DAYS; returns (row, the token shown once)."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=raw[:8],
        digest=digest_of(raw),
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    return token, raw


def find(raw: str) -> ApiToken | None:
    """The token row for `raw`, whatever its state (the caller says why it is refused)."""
    return ApiToken.objects.select_related("user").filter(digest=digest_of(raw)).first()


def mark_used(token: ApiToken, now=None) -> None:
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=token.revoked_at)


def revoke_all(user) -> int:
    """Revoke every token of `user` that is still usable (a password change, an admin)."""
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
