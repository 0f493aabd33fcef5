"""/api/standards/: the catalogue, read-only (a standard changes through the promotion review)."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from cadence.standards.filters import StandardFilter
from cadence.standards.models import Standard, StandardVersion
from cadence.standards.views import catalogue_queryset
from experiments import access
from experiments.models import Experiment


class StandardVersionSerializer(serializers.ModelSerializer):
    # Plain strings (values as on Standard.Status / StandardVersion.Change): no clash with other apps' enums.
    status = serializers.CharField(read_only=True)
    change = serializers.CharField(read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = StandardVersion
        fields = [
            "number",
            "change",
            "statement",
            "status",
            "owner",
            "rereview_date",
            "note",
            "actor",
            "source_url",
            "created_at",
        ]


class CitationSerializer(serializers.Serializer):
    experiment = serializers.CharField(source="experiment.key")
    kind = serializers.CharField(help_text="based_on or retests")
    at = serializers.DateTimeField(source="created_at")


class StandardSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="active, under_review or retired")
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    touchpoints = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    segments = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    supporting_experiments = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    contradicting_experiments = serializers.SerializerMethodField()
    citing_experiments = serializers.SerializerMethodField(
        help_text="Experiments started from it or re-testing it (those you may see)."
    )
    versions = StandardVersionSerializer(many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "statement",
            "status",
            "touchpoints",
            "segments",
            "owner",
            "supporting_experiments",
            "contradicting_experiments",
            "citing_experiments",
            "evidence",
            "effective_date",
            "rereview_date",
            "version",
            "versions",
            "url",
        ]

    @extend_schema_field(CitationSerializer(many=True))
    def get_citing_experiments(self, standard):
        request = self.context.get("request")
        visible = access.visible_experiments(request.user) if request else Experiment.objects.none()
        citations = standard.citations.select_related("experiment").filter(experiment__in=visible)
        return CitationSerializer(citations, many=True).data

    def get_contradicting_experiments(self, standard) -> list[dict]:
        return [
            {"experiment": c.experiment.key, "reason": c.reason, "at": c.created_at, "open": c.resolved_at is None}
            for c in standard.contradictions.select_related("experiment")
        ]


@extend_schema_view(
    list=extend_schema(
        summary="The standards catalogue",
        description="Filter by status and touchpoint (key); q searches the statement.",
    ),
    retrieve=extend_schema(summary="One standard with its evidence and version history"),
)
class StandardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StandardSerializer
    filterset_class = StandardFilter

    def get_queryset(self):
        return catalogue_queryset().prefetch_related("versions__owner", "versions__actor")
