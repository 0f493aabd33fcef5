"""The assignment API: which arm a unit gets, one unit (GET) or a list for services (POST).

Counted assignments come from service keys only (experiments.service_keys), within their scope:
the batch takes nothing else, and a person's GET is a preview (the same answer, not counted).
An experiment the caller may not see answers 404 (drafts are private to their authors).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments.api.service_key_auth import WITH_SERVICE_KEYS, ServiceKeyThrottle, require_service_key, service_key_of
from experiments.live.assignment import REASONS, AssignmentInputError, assign, assign_many
from experiments.models import ServiceKeyAction


class AssignmentSerializer(serializers.Serializer):
    """The answer's shape (for the API docs)."""

    experiment = serializers.CharField()
    unit = serializers.CharField()
    enrolled = serializers.BooleanField()
    variant = serializers.CharField(
        help_text="The arm to serve; the control arm when not enrolled, the winning arm when rolled out."
    )
    reason = serializers.ChoiceField(
        choices=REASONS,
        help_text="Why this arm. `rolled_out`: the experiment won and its winning arm is served to everyone in "
        "scope (not enrolled, not counted).",
    )
    message = serializers.CharField(help_text="The reason as a sentence.")
    counted = serializers.BooleanField(
        help_text="True when this call counted the unit for the experiment (a service key in scope); "
        "a person's call is a preview and counts nothing."
    )
    standard = serializers.CharField(
        allow_null=True,
        help_text="With reason `rolled_out`, the standard's code (e.g. S-4) once the review promoted the experiment; "
        "null otherwise.",
    )


BAD_INPUT = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Each bad field (e.g. `units[3].unit`) with what is wrong."
)
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No experiment with this key that you may see.")
UNAUTHORISED = OpenApiResponse(
    OpenApiTypes.OBJECT, description="No credentials, or a service key that is unknown, revoked or expired."
)
OUTSIDE_SCOPE = OpenApiResponse(
    OpenApiTypes.OBJECT, description="A person's sign-in (batch), or a service key used outside its scope (named)."
)
THROTTLED = OpenApiResponse(
    OpenApiTypes.OBJECT, description="This service key made too many calls; retry after the time given."
)


class AssignmentView(APIView):
    authentication_classes = WITH_SERVICE_KEYS
    permission_classes = [IsAuthenticated]
    throttle_classes = [ServiceKeyThrottle]

    @extend_schema(
        summary="The arm a unit gets in a running experiment",
        description="Deterministic: the same unit always gets the same arm. Only a running experiment enrols; "
        "outside its touchpoints, segments or exposure cap, or when it is not running, the answer is "
        "`enrolled: false` with the control arm (serve the current experience); once a won experiment's winning arm "
        "is rolled out, everyone in its touchpoints and segments gets that arm with reason `rolled_out`. Called "
        "with a service key (`Authorization: Key <secret>`) in scope, an enrolled unit is counted; a person's call "
        "is a preview.",
        parameters=[
            OpenApiParameter("unit", str, required=True, description="The unit's id (at most 200 characters)."),
            OpenApiParameter(
                "segment", str, description="The unit's segment key, when the experiment is limited to segments."
            ),
            OpenApiParameter("touchpoint", str, description="Where the unit is served (a touchpoint key)."),
        ],
        responses={
            200: AssignmentSerializer,
            400: BAD_INPUT,
            401: UNAUTHORISED,
            403: OUTSIDE_SCOPE,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def get(self, request, key):
        params = request.query_params
        service_key = service_key_of(request)
        if service_key is not None:
            require_service_key(request, ServiceKeyAction.ASSIGN)
        try:
            answer = assign(
                key,
                params.get("unit"),
                params.get("segment"),
                params.get("touchpoint"),
                user=request.user,
                service_key=service_key,
            )
        except AssignmentInputError as error:
            raise ValidationError(error.errors) from error
        return Response(answer.as_dict())


class AssignmentBatchView(APIView):
    authentication_classes = WITH_SERVICE_KEYS
    permission_classes = [IsAuthenticated]
    throttle_classes = [ServiceKeyThrottle]

    @extend_schema(
        summary="Arms for a list of units (services)",
        description="For services, with a service key (`Authorization: Key <secret>`) that may assign in this "
        "experiment; every enrolled unit is counted. Answers a list in the order given. All or nothing: one bad "
        "entry refuses the request. A person's sign-in is refused (403): preview one unit with the GET instead.",
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
        responses={
            200: AssignmentSerializer(many=True),
            400: BAD_INPUT,
            401: UNAUTHORISED,
            403: OUTSIDE_SCOPE,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request):
        service_key = require_service_key(request, ServiceKeyAction.ASSIGN)
        body = request.data
        if not isinstance(body, dict):
            raise ValidationError({"non_field_errors": ["Send a JSON object with 'experiment' and 'units'."]})
        experiment = body.get("experiment")
        if not experiment or not isinstance(experiment, str):
            raise ValidationError({"experiment": ["Required: the experiment's key."]})
        if "units" not in body:
            raise ValidationError({"units": ["Required: a list of objects with 'unit'."]})
        try:
            answers = assign_many(experiment, body["units"], user=request.user, service_key=service_key)
        except AssignmentInputError as error:
            raise ValidationError(error.errors) from error
        return Response([answer.as_dict() for answer in answers])
