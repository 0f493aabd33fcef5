"""API routes; included under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from cadence.standards.api import StandardViewSet
from cadence.standards.api_relevance import (
    ExperimentRetestsView,
    ExperimentStandardsView,
    RelevantStandardsView,
    TemplateDraftView,
)

router = SimpleRouter()
router.register("standards", StandardViewSet, basename="api-standard")

urlpatterns = [
    # Before the router: "relevant" is no standard's id.
    path("standards/relevant/", RelevantStandardsView.as_view(), name="api-standards-relevant"),
    path("experiments/<slug:key>/standards/", ExperimentStandardsView.as_view(), name="api-experiment-standards"),
    path(
        "experiments/<slug:key>/standards/retests/",
        ExperimentRetestsView.as_view(),
        name="api-experiment-standards-retests",
    ),
    path("proposals/from-template/", TemplateDraftView.as_view(), name="api-template-draft"),
    path("", include(router.urls)),
]
