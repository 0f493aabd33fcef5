"""The person's settings page (language, time zone) and the language switch."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import preferences
from accounts.forms_settings import PersonSettingsForm


@login_required
def person_settings(request):
    form = PersonSettingsForm(request.POST or None, instance=preferences.settings_for(request.user))
    if request.method == "POST" and form.is_valid():
        row = preferences.save(
            request.user, language=form.cleaned_data["language"], time_zone=form.cleaned_data["time_zone"]
        )
        if row.language:
            translation.activate(row.language)  # the confirmation is in the language just chosen
        messages.success(request, _("Your settings are saved."))
        response = redirect("accounts:settings")
        if row.language:
            _set_language_cookie(response, row.language)  # kept after signing out, too
        return response
    return render(request, "accounts/settings.html", {"form": form})


@require_POST
def set_language(request):
    """Django's set_language (fields `language` and `next`; a `next` off this site is ignored; the
    language cookie set) that also saves the language of a signed-in person."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        preferences.save_language(request.user, language)
    return response


def _set_language_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
