"""`Authorization: Token <token>` for the API, with expiry, revocation and last-used time."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts import tokens
from accounts.middleware import activate_for


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's header parsing ("Token <t>"), our own tokens: hashed, expiring, revocable. The token's
    person reads the answer in their saved language and time zone, as on the site."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            activate_for(request._request, found[0])
        return found

    def authenticate_credentials(self, key):
        token = tokens.find(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        status = token.status()
        if status == "revoked":
            raise exceptions.AuthenticationFailed(_("This token was revoked. Get a new one at /api/token/."))
        if status == "expired":
            raise exceptions.AuthenticationFailed(_("This token has expired. Get a new one at /api/token/."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        tokens.mark_used(token)
        return token.user, token
