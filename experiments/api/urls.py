"""Everything under /api/. Every route needs a signed-in user except the token exchange
(accounts.api: POST /api/token/)."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from experiments.api.schema_view import SchemaView
from experiments.api.views.calculator import CalculatorView
from experiments.api.views.catalogue import (
    GuardrailPolicyView,
    MetricViewSet,
    PolicyView,
    SegmentViewSet,
    SensitiveCategoryViewSet,
    TouchpointViewSet,
)
from experiments.api.views.docs import OfflineRedocView, OfflineSwaggerView
from experiments.api.views.service_keys import ServiceKeyRevokeView, ServiceKeysView
from experiments.api.views.experiments import ExperimentViewSet

router = DefaultRouter()
router.register("experiments", ExperimentViewSet, basename="api-experiment")
router.register("metrics", MetricViewSet, basename="api-metric")
router.register("touchpoints", TouchpointViewSet, basename="api-touchpoint")
router.register("segments", SegmentViewSet, basename="api-segment")
router.register("sensitive-categories", SensitiveCategoryViewSet, basename="api-sensitive-category")

urlpatterns = [
    path("", include("accounts.api.urls")),  # the token exchange and your tokens
    path("calculator/", CalculatorView.as_view(), name="api-calculator"),
    path("service-keys/", ServiceKeysView.as_view(), name="api-service-keys"),
    path("service-keys/<slug:prefix>/revoke/", ServiceKeyRevokeView.as_view(), name="api-service-key-revoke"),
    path("guardrail-policy/", GuardrailPolicyView.as_view(), name="api-guardrail-policy"),
    path("policy/", PolicyView.as_view(), name="api-policy"),
    path("schema/", SchemaView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    # Docs pages send a browser to the login page first; the schema they load needs the session.
    path("docs/", login_required(OfflineSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path("redoc/", login_required(OfflineRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("", include("experiments.live.api_urls")),
    path("", include(router.urls)),
]
