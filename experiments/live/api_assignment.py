"""The assignment API: which arm a unit gets, one unit (GET) or a list for services (POST).

Signed-in users and token clients; an experiment the caller may not see answers 404 (drafts are
private to their authors: `access.visible_experiments`, the rule behind the guarded API base).
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments.live.assignment import AssignmentInputError, assign, assign_many

class AssignmentSerializer(serializers.Serializer):
    """The answer's shape (for the API docs)."""

    experiment = serializers.CharField()
    unit = serializers.CharField()
    enrolled = serializers.BooleanField()
    variant = serializers.CharField(help_text="The arm to serve; the control arm when not enrolled.")
    reason = serializers.CharField(
        help_text="enrolled, not_running, touchpoint_missing, touchpoint_outside_scope, segment_missing, "
        "segment_outside_scope or outside_exposure_cap."
    )
    message = serializers.CharField(help_text="The reason as a sentence.")


BAD_INPUT = OpenApiResponse(OpenApiTypes.OBJECT, description="Each bad field (e.g. `units[3].unit`) with what is wrong.")
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No experiment with this key that you may see.")


def _refused(error: AssignmentInputError) -> Response:
    return Response(error.errors, status=status.HTTP_400_BAD_REQUEST)


class AssignmentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The arm a unit gets in a running experiment",
        description="Deterministic: the same unit always gets the same arm. Only a running experiment enrols; "
        "outside its touchpoints, segments or exposure cap, or when it is not running, the answer is "
        "`enrolled: false` with the control arm (serve the current experience).",
        parameters=[
            OpenApiParameter("unit", str, required=True, description="The unit's id (at most 200 characters)."),
            OpenApiParameter("segment", str, description="The unit's segment key, when the experiment is limited to segments."),
            OpenApiParameter("touchpoint", str, description="Where the unit is served (a touchpoint key)."),
        ],
        responses={200: AssignmentSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request, key):
        params = request.query_params
        try:
            answer = assign(key, params.get("unit"), params.get("segment"), params.get("touchpoint"), user=request.user)
        except AssignmentInputError as error:
            return _refused(error)
        return Response(answer.as_dict())


class AssignmentBatchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Arms for a list of units (services)",
        description="Answers a list in the order given. All or nothing: one bad entry refuses the request.",
        request=inline_serializer(
            "AssignmentBatchRequest",
            {
                "experiment": serializers.CharField(),
                "units": inline_serializer(
                    "AssignmentBatchUnit",
                    {
                        "unit": serializers.CharField(),
                        "segment": serializers.CharField(required=False),
                        "touchpoint": serializers.CharField(required=False),
                    },
                    many=True,
                ),
            },
        ),
        responses={200: AssignmentSerializer(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request):
        body = request.data
        if not isinstance(body, dict):
            return Response({"non_field_errors": ["Send a JSON object with 'experiment' and 'units'."]}, status=status.HTTP_400_BAD_REQUEST)
        experiment = body.get("experiment")
        if not experiment or not isinstance(experiment, str):
            return Response({"experiment": ["Required: the experiment's key."]}, status=status.HTTP_400_BAD_REQUEST)
        if "units" not in body:
            return Response({"units": ["Required: a list of objects with 'unit'."]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            answers = assign_many(experiment, body["units"], user=request.user)
        except AssignmentInputError as error:
            return _refused(error)
        return Response([answer.as_dict() for answer in answers])
