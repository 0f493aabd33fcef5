"""API routes; included under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from cadence.standards.api import StandardViewSet

router = SimpleRouter()
router.register("standards", StandardViewSet, basename="api-standard")

urlpatterns = [path("", include(router.urls))]
