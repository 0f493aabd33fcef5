"""Activates the signed-in person's own language and time zone for the request.

Django's LocaleMiddleware (earlier in MIDDLEWARE) has already picked the cookie's or the browser's
language; it cannot see the person, who is known only after AuthenticationMiddleware. A language the
person saved wins over both. One query per signed-in request, the same for every page. An API
request signed with a token is known only inside DRF: its authentication (accounts.authentication)
applies the same rule, activate_for(), once it knows the person."""

from django.utils import timezone, translation

from accounts import preferences


def activate_for(request, user) -> None:
    """The person's saved language and time zone for the rest of this request (the one rule)."""
    row = preferences.settings_for(user)
    if row.language:
        translation.activate(row.language)
        request.LANGUAGE_CODE = translation.get_language()
    zone = preferences.time_zone_of(row)
    if zone is not None:
        timezone.activate(zone)


class PersonPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_for(request, user)
        try:
            return self.get_response(request)
        finally:
            # A worker thread serves the next request for someone else: leave no zone behind.
            timezone.deactivate()
