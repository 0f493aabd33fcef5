"""The standards that bear on a proposal, in the API (the one rule: cadence.standards.relevance),
the re-tests an experiment's authors declare, and new drafts started from a standard or a past
experiment (templates).

- GET  /api/standards/relevant/?touchpoint=chat&metric=csat: for a proposal still being written.
- GET  /api/experiments/<key>/standards/: for a saved experiment, its declared re-tests included.
- PUT  /api/experiments/<key>/standards/retests/: the standards it re-tests (its editors).
- POST /api/proposals/from-template/: a new draft from a standard or a past experiment.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cadence.standards.citations import declare_retests
from cadence.standards.drafting import draft_from_standard
from cadence.standards.models import Standard
from cadence.standards.relevance import Scope, relevant_standards, relevant_to_experiment
from experiments import access, drafting
from experiments.api.serializers import RefusalSerializer

NOT_FOUND = OpenApiResponse(RefusalSerializer, description="No experiment with this key that you may see.")


def refusal(description: str) -> OpenApiResponse:
    return OpenApiResponse(RefusalSerializer, description=description)


class RelevantStandardSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="standard.pk")
    code = serializers.CharField(source="standard.code")
    statement = serializers.CharField(source="standard.statement")
    status = serializers.CharField(source="standard.status", help_text="active or under_review")
    url = serializers.CharField(source="standard.get_absolute_url", help_text="The standard's page.")
    touchpoints = serializers.ListField(child=serializers.CharField(), help_text="Touchpoint names it shares.")
    metrics = serializers.ListField(
        child=serializers.CharField(), help_text="Metrics it was proven on that the proposal measures (names)."
    )
    on_scope = serializers.BooleanField(help_text="Same touchpoint and segment: a loss or stop would contradict it.")
    retest_declared = serializers.BooleanField(help_text="The authors declared that the proposal re-tests it.")
    retest_detected = serializers.BooleanField(help_text="On scope with the same success metric: a likely re-test.")


class RelevantQuerySerializer(serializers.Serializer):
    touchpoint = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    segment = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    metric = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    success_metric = serializers.ListField(child=serializers.SlugField(), required=False, default=list)


def _many(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, many=True, explode=True, description=description)


class RelevantStandardsView(APIView):
    @extend_schema(
        summary="The standards in force on these touchpoints and metrics",
        description="What the proposal form shows as it is written. Standards sharing a touchpoint, or proven on "
        "a metric given; those the proposal would contradict or re-test first. Unknown keys match nothing.",
        parameters=[
            _many("touchpoint", "Touchpoint key; repeat for several."),
            _many("segment", "Segment key; none means all customers."),
            _many("metric", "Key of a metric the proposal measures."),
            _many("success_metric", "Key of a success metric (detects a re-test)."),
        ],
        responses={200: RelevantStandardSerializer(many=True), 400: refusal("A key that is not a slug.")},
    )
    def get(self, request):
        query = RelevantQuerySerializer(data={k: request.query_params.getlist(k) for k in request.query_params})
        query.is_valid(raise_exception=True)
        given = query.validated_data
        scope = Scope.of(
            touchpoints=given["touchpoint"],
            segments=given["segment"],
            metrics=set(given["metric"]) | set(given["success_metric"]),
            success_metrics=given["success_metric"],
        )
        return Response(RelevantStandardSerializer(relevant_standards(scope), many=True).data)


class ExperimentStandardsView(APIView):
    @extend_schema(
        summary="The standards in force on an experiment's touchpoints and metrics",
        responses={200: RelevantStandardSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, key):
        experiment = access.get_experiment_for(request.user, key)
        return Response(RelevantStandardSerializer(relevant_to_experiment(experiment), many=True).data)


class RetestsSerializer(serializers.Serializer):
    standards = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        allow_empty=True,
        max_length=100,
        help_text="Ids of the standards this proposal re-tests (S-3 is 3); replaces the list. Empty: none.",
    )


class ExperimentRetestsView(APIView):
    @extend_schema(
        summary="Declare which standards the proposal re-tests (its owner and co-authors, while editable)",
        request=RetestsSerializer,
        responses={
            200: RelevantStandardSerializer(many=True),
            400: refusal("An id that names no standard in force."),
            403: refusal("Not an author, or the experiment can no longer be edited."),
            404: NOT_FOUND,
        },
    )
    def put(self, request, key):
        experiment = access.get_experiment_for(request.user, key, edit=True)
        body = RetestsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        declare_retests(experiment, body.validated_data["standards"], request.user)
        return Response(RelevantStandardSerializer(relevant_to_experiment(experiment), many=True).data)


class TemplateRequestSerializer(serializers.Serializer):
    standard = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="Start from this standard (its id)."
    )
    experiment = serializers.SlugField(required=False, help_text="Or from this past experiment (its key).")

    def validate(self, attrs):
        if ("standard" in attrs) == ("experiment" in attrs):
            raise serializers.ValidationError(
                {"standard": _("Name either a standard or an experiment to start from, not both or neither.")}
            )
        return attrs


class TemplateDraftSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The new draft's key.")
    title = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url", help_text="The draft's page.")
    edit_url = serializers.CharField(help_text="Its proposal form.")
    based_on_experiment = serializers.CharField(allow_null=True, help_text="The past experiment's key, if any.")
    based_on_standard = serializers.IntegerField(allow_null=True, help_text="The standard's id, if any.")


class TemplateDraftView(APIView):
    @extend_schema(
        summary="Start a proposal from a standard or a past experiment",
        description="A new draft owned by you with the source's scope, variants, metrics and margins, dates from "
        "next week; the source is linked as “based on”. Edit it and submit it like any proposal.",
        request=TemplateRequestSerializer,
        responses={
            201: TemplateDraftSerializer,
            400: refusal("Neither or both sources named."),
            403: refusal("Not a proposer."),
            404: refusal("No such standard, or no experiment with this key that you may see."),
            409: refusal("A retired standard, or one with no supporting experiment."),
        },
    )
    def post(self, request):
        body = TemplateRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not access.can_propose(request.user):
            raise PermissionDenied(_("Only proposers start proposals."))
        standard = None
        if "standard" in body.validated_data:
            standard = Standard.objects.filter(pk=body.validated_data["standard"]).first()
            if standard is None:
                raise Http404(_("No such standard."))
            draft = draft_from_standard(standard, request.user)
        else:
            source = access.get_experiment_for(request.user, body.validated_data["experiment"])
            draft = drafting.draft_from_experiment(source, request.user)
        data = {
            "key": draft.key,
            "title": draft.title,
            "get_absolute_url": draft.get_absolute_url(),
            "edit_url": reverse("experiment-edit", kwargs={"key": draft.key}),
            "based_on_experiment": draft.based_on.key if draft.based_on_id else None,
            "based_on_standard": standard.pk if standard else None,
        }
        return Response(TemplateDraftSerializer(data).data, status=status.HTTP_201_CREATED)
