"""/api/experiments/<key>/rollout/ and /rollout/revert/: ship a won experiment's winning arm to
everyone in its scope, or take it back (experiments.rollouts). Mixed into ExperimentViewSet, so
the experiment is fetched through the same visibility rules."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from experiments import rollouts
from experiments.api.serializers import (
    RefusalSerializer,
    RolloutRequestSerializer,
    RolloutRevertSerializer,
    RolloutSerializer,
    RolloutStateSerializer,
)

NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No experiment with this key that you may see.")


def refusal(description: str) -> OpenApiResponse:
    return OpenApiResponse(RefusalSerializer, description=description)


class RolloutActions:
    """Actions for a GuardedExperimentViewSet (needs its get_object and get_serializer)."""

    @extend_schema(
        methods=["GET"],
        summary="What customers in scope now get: the rolled-out arm or control",
        responses={200: RolloutStateSerializer, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Roll the winning arm out to everyone in scope (owner, co-authors, admins; won experiments only)",
        description="Only an experiment concluded as won (or promoted), whose checks' record allows the win, can be "
        "rolled out. From then on the assignment API answers the winning arm to every unit inside the experiment's "
        "touchpoints and segments, with reason `rolled_out` (not enrolled, not counted); revert with "
        "`POST .../rollout/revert/`.",
        request=RolloutRequestSerializer,
        responses={
            201: RolloutSerializer,
            400: refusal("An arm that is not a treatment arm, or none named when there are several."),
            403: refusal("Not the owner, a co-author or an administrator."),
            404: NOT_FOUND,
            409: refusal("Not won (only a won experiment can be rolled out), or already rolled out."),
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        filterset_class=None,
        serializer_class=RolloutRequestSerializer,
    )
    def rollout(self, request, key=None):
        experiment = self.get_object()
        if request.method == "GET":
            return Response(RolloutStateSerializer(rollouts.state_for(experiment, request.user)).data)
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        # A refusal is a DomainError: the API's one exception handler answers it.
        made = rollouts.roll_out(experiment, request.user, **body.validated_data)
        return Response(RolloutSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revert the rollout: everyone gets control again",
        request=RolloutRevertSerializer,
        responses={
            200: RolloutSerializer,
            403: refusal("Not the owner, a co-author or an administrator."),
            404: NOT_FOUND,
            409: refusal("Nothing is rolled out."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="rollout/revert",
        serializer_class=RolloutRevertSerializer,
    )
    def revert_rollout(self, request, key=None):
        experiment = self.get_object()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        reverted = rollouts.revert(experiment, request.user, **body.validated_data)
        return Response(RolloutSerializer(reverted).data)
