"""/api/experiments/<key>/verdict/ and /overrides/: the verdict against the checks' record and the
overrides filed on it (experiments.verdicts, experiments.overrides). Mixed into ExperimentViewSet,
so the experiment is fetched through the same visibility rules."""

from drf_spectacular.types import OpenApiTypes
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.decorators import action
from rest_framework.response import Response

from experiments import overrides, verdicts
from experiments.api.serializers import (
    OverrideAnswerSerializer,
    OverrideRequestSerializer,
    OverrideSerializer,
    RefusalSerializer,
    VerdictSerializer,
)

NOT_FOUND = OpenApiResponse(
    OpenApiTypes.OBJECT, description="No experiment (or override) with this key that you may see."
)


def refusal(description: str) -> OpenApiResponse:
    return OpenApiResponse(RefusalSerializer, description=description)


ANSWER_RESPONSES = {
    200: OverrideSerializer,
    400: refusal("A decline without a reason."),
    403: refusal("Not a standards keeper, or the requester or an author."),
    404: NOT_FOUND,
    409: refusal("Already answered."),
}
FILE_RESPONSES = {
    201: OverrideSerializer,
    400: refusal("No reason, or an outcome that needs no override."),
    403: refusal("Not an author or signal owner."),
    404: NOT_FOUND,
    409: refusal("No stopping check to override, or one is already waiting."),
}


class OverrideActions:
    """Actions for a GuardedExperimentViewSet (needs its get_object and get_serializer)."""

    @extend_schema(
        summary="The verdict against the checks' record",
        description="The check that stopped it for harm or invalid data (when that binds the verdict), the override "
        "on it, the outcomes a person may conclude now and the real runtime.",
        responses={200: VerdictSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def verdict(self, request, key=None):
        experiment = self.get_object()
        summary = {**verdicts.verdict_summary(experiment), "allowed_outcomes": verdicts.allowed_outcomes(experiment)}
        return Response(VerdictSerializer(summary).data)

    @extend_schema(
        methods=["GET"],
        summary="Overrides filed on the experiment, oldest first",
        responses={200: OverrideSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Disagree with the check that stopped it: file an override",
        description="Authors and signal owners may file one, with a reason and the outcome wanted. A standards keeper "
        "who is neither the requester nor an author then agrees or declines; until one agrees, the experiment "
        "concludes only as lost or invalid.",
        request=OverrideRequestSerializer,
        responses=FILE_RESPONSES,
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        filterset_class=None,
        serializer_class=OverrideRequestSerializer,
    )
    def overrides(self, request, key=None):
        experiment = self.get_object()
        if request.method == "GET":
            rows = experiment.overrides.select_related("disputed_check", "requested_by", "answered_by")
            return Response(OverrideSerializer(rows, many=True).data)
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        # A refusal is a DomainError: the API's one exception handler answers it.
        override = overrides.request_override(experiment, request.user, **body.validated_data)
        return Response(OverrideSerializer(override).data, status=status.HTTP_201_CREATED)

    def _answer(self, request, override_id, answer):
        experiment = self.get_object()
        override = experiment.overrides.filter(pk=override_id).first()
        if override is None:
            raise NotFound(_("No such override on this experiment."))
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        override = answer(override, request.user, reason=body.validated_data["reason"])
        return Response(OverrideSerializer(override).data)

    @extend_schema(
        summary="Agree to an override (a standards keeper, not the requester or an author)",
        request=OverrideAnswerSerializer,
        responses=ANSWER_RESPONSES,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"overrides/(?P<override_id>[0-9]+)/agree",
        serializer_class=OverrideAnswerSerializer,
    )
    def agree_override(self, request, key=None, override_id=None):
        return self._answer(request, override_id, overrides.agree_override)

    @extend_schema(
        summary="Decline an override, with a reason", request=OverrideAnswerSerializer, responses=ANSWER_RESPONSES
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"overrides/(?P<override_id>[0-9]+)/decline",
        serializer_class=OverrideAnswerSerializer,
    )
    def decline_override(self, request, key=None, override_id=None):
        return self._answer(request, override_id, overrides.decline_override)
