from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from accounts.views_settings import set_language
from cadence.styleguide import styleguide
from experiments.api.exceptions import not_found as api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/approvals/", include("approvals.api.urls")),
    path("api/", include("experiments.api.urls")),
    path("api/", include("cadence.ideas.api_urls")),
    path("api/", include("cadence.standards.api_urls")),
    path("api/", include("cadence.reviews.api_urls")),
    path("api/", include("cadence.calendars.api_urls")),
    path("api/", include("cadence.duties.api_urls")),
    path("api/", include("cadence.search.api_urls")),
    # Anything else under /api/ is a JSON refusal, not the HTML 404 page.
    re_path(r"^api/", api_not_found),
    path("style/", styleguide, name="styleguide"),
    path("approvals/", include("approvals.urls")),
    path("notifications/", include("mailing.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    # The scripts' sentences (locale/<lang>/LC_MESSAGES/djangojs.po) and the language's number
    # formats, served by Pagar itself: gettext(), interpolate() and get_format() in static/js/.
    path("jsi18n/", JavaScriptCatalog.as_view(domain="djangojs"), name="javascript-catalog"),
    path("accounts/settings/", include("accounts.settings_urls")),
    path("", include("accounts.urls")),
    path("", include("experiments.live.urls")),
    path("", include("cadence.ideas.urls")),
    path("", include("cadence.standards.urls")),
    path("", include("cadence.reviews.urls")),
    path("", include("cadence.calendars.urls")),
    path("", include("cadence.duties.urls")),
    path("", include("cadence.search.urls")),
    path("", include("cadence.urls")),
    path("", include("experiments.urls")),
]
