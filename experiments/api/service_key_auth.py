"""Machine calls: `Authorization: Key <secret>` (or `X-Pagar-Key: <secret>`) authenticates a
service key; it acts for the person who made it, within its scope (experiments.service_keys).

Only the assignment and data-in views list this class: a key opens no other door.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from experiments import service_keys
from experiments.errors import NotPermitted
from experiments.models import ServiceKey

KEYWORD = "Key"
HEADER = "X-Pagar-Key"


class ServiceKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        secret = request.headers.get(HEADER)
        if secret is None:
            words = get_authorization_header(request).split()
            if not words or words[0].lower() != KEYWORD.lower().encode():
                return None  # not ours: a person's session or token
            if len(words) != 2:
                raise exceptions.AuthenticationFailed(_("Send the key as 'Authorization: Key <secret>'."))
            try:
                secret = words[1].decode()
            except UnicodeError:
                raise exceptions.AuthenticationFailed(_("This is not a Pagar service key.")) from None
        try:
            key = service_keys.authenticate(secret)
        except service_keys.KeyRefused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        return key.created_by, key

    def authenticate_header(self, request):
        return KEYWORD


# The doors that take a service key: the key first, then a person's session or token (which
# those views answer with a preview or a 403 saying a key is needed).
WITH_SERVICE_KEYS = [ServiceKeyAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES]


def service_key_of(request) -> ServiceKey | None:
    return request.auth if isinstance(request.auth, ServiceKey) else None


def require_service_key(request, action: str) -> ServiceKey:
    """The request's key if it may take `action`; else 403 (a person's token or session)."""
    key = service_key_of(request)
    if key is None:
        raise NotPermitted(
            _(
                "This endpoint takes a service key, not a person's sign-in: make one on the Service keys page "
                "(/keys/) and send it as 'Authorization: Key <secret>'."
            ),
            field="Authorization",
        )
    service_keys.require_action(key, action)
    return key


class ServiceKeyThrottle(SimpleRateThrottle):
    """Calls per service key (settings.SERVICE_KEY_RATE); people are not limited here.

    A counter per key and window (a cache add and incr per call), not DRF's list of call times:
    the cache pickles that list whole on every call, and at thousands of calls a minute it cost
    more than the assignment itself. A fixed window lets a burst at its edge reach twice the rate
    for a moment; the rate over any minute stays bounded."""

    scope = "service_key"

    def get_rate(self):
        return settings.SERVICE_KEY_RATE

    def allow_request(self, request, view):
        key = self.get_cache_key(request, view)
        if key is None or self.rate is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{key}:{window}"
        self.cache.add(counter, 0, self.duration + 1)
        try:
            calls = self.cache.incr(counter)
        except ValueError:  # expired between add and incr
            self.cache.set(counter, 1, self.duration + 1)
            calls = 1
        return calls <= self.num_requests

    def wait(self):
        return max(0.0, self.window_ends - self.now)

    def get_cache_key(self, request, view):
        key = service_key_of(request)
        return None if key is None else self.cache_format % {"scope": self.scope, "ident": key.pk}


class ServiceKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document names the service-key scheme (drf-spectacular)."""

    target_class = "experiments.api.service_key_auth.ServiceKeyAuthentication"
    name = "serviceKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Key <secret>` (or the `X-Pagar-Key` header): a service key made on /keys/.",
        }
