from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/approvals/", include("approvals.api.urls")),
    path("api/", include("experiments.api.urls")),
    path("api/", include("cadence.ideas.api_urls")),
    path("api/", include("cadence.standards.api_urls")),
    path("api/", include("cadence.reviews.api_urls")),
    path("api/", include("cadence.calendars.api_urls")),
    path("approvals/", include("approvals.urls")),
    path("", include("accounts.urls")),
    path("", include("experiments.live.urls")),
    path("", include("cadence.ideas.urls")),
    path("", include("cadence.standards.urls")),
    path("", include("cadence.reviews.urls")),
    path("", include("cadence.calendars.urls")),
    path("", include("cadence.urls")),
    path("", include("experiments.urls")),
]
