"""API routes; included under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from cadence.duties.api import ResponseItemViewSet, RolesView

router = SimpleRouter()
router.register("responses", ResponseItemViewSet, basename="api-response")

urlpatterns = [
    path("roles/", RolesView.as_view(), name="api-roles"),
    path("", include(router.urls)),
]
