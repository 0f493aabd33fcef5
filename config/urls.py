from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/approvals/", include("approvals.api.urls")),
    path("api/", include("experiments.api.urls")),
    path("approvals/", include("approvals.urls")),
    path("", include("experiments.live.urls")),
    path("", include("experiments.urls")),
]
