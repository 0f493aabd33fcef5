"""Read-only catalogues for any signed-in user; they are edited in the Django admin."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments import contract
from experiments.api.serializers import (
    GuardrailPolicySerializer,
    MetricSerializer,
    PolicySerializer,
    SegmentSerializer,
    SensitiveCategorySerializer,
    TouchpointSerializer,
)
from experiments.models import GuardrailPolicy, Metric, Segment, SensitiveCategory, Touchpoint


class CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "key"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_class = None


class MetricViewSet(CatalogueViewSet):
    queryset = Metric.objects.all()
    serializer_class = MetricSerializer


class TouchpointViewSet(CatalogueViewSet):
    queryset = Touchpoint.objects.prefetch_related("mandatory_guardrails")
    serializer_class = TouchpointSerializer


class SegmentViewSet(CatalogueViewSet):
    queryset = Segment.objects.all()
    serializer_class = SegmentSerializer


class SensitiveCategoryViewSet(CatalogueViewSet):
    queryset = SensitiveCategory.objects.all()
    serializer_class = SensitiveCategorySerializer


class GuardrailPolicyView(APIView):
    @extend_schema(summary="The guardrail policy in force", responses=GuardrailPolicySerializer)
    def get(self, request):
        return Response(GuardrailPolicySerializer(GuardrailPolicy.current()).data)


class PolicyView(APIView):
    @extend_schema(
        summary="The whole guardrail policy: limits, mandatory guardrails, never-test list, sensitive categories",
        description="The same rules and data the contract check applies at every door (submit, edit, amendment, "
        "restart, rerun) and the /policy/ page shows.",
        responses=PolicySerializer,
    )
    def get(self, request):
        return Response(PolicySerializer(contract.policy_summary()).data)
