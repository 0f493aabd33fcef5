"""The SDK's doors: its configuration (with an ETag) and the first exposures it reports.

Both take a service key that may assign (experiments.service_keys); the configuration lists only
the experiments in the key's scope, and exposures outside it are refused (403) naming the key's
scope. A person's sign-in is refused (403): an SDK is a service.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments.api.service_key_auth import WITH_SERVICE_KEYS, ServiceKeyThrottle, require_service_key
from experiments.live.api_assignment import THROTTLED, UNAUTHORISED
from experiments.live.assignment import AssignmentInputError
from experiments.live.sdk_config import config_for, etag_of
from experiments.live.sdk_exposures import record_exposures
from experiments.models import ServiceKeyAction

BAD_EXPOSURES = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Each bad field (e.g. `exposures[3].unit`, `exposures[4].experiment` naming an experiment the key "
    "may not see) with what is wrong; nothing counted.",
)
SERVICE_ONLY = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A person's sign-in (an SDK calls with a service key), a key that may not assign, or an "
    "experiment outside the key's scope (named).",
)


class SdkVariantSerializer(serializers.Serializer):
    key = serializers.CharField()
    weight = serializers.IntegerField()
    is_control = serializers.BooleanField()


class SdkSaltSerializer(serializers.Serializer):
    seed = serializers.CharField(help_text="Hashed first: the experiment's key.")
    exposure = serializers.CharField(help_text="The salt of the exposure hash (inside the cap?).")
    arm = serializers.CharField(help_text="The salt of the arm hash (which arm among the weights).")


class SdkRuleSerializer(serializers.Serializer):
    key = serializers.CharField()
    status = serializers.CharField(help_text="Only `running` enrols; other statuses serve control (or the rollout).")
    version = serializers.IntegerField(help_text="Bumped by every status change, rollout and revert.")
    salt = SdkSaltSerializer()
    exposure_cap_pct = serializers.FloatField()
    variants = SdkVariantSerializer(many=True, help_text="In hashing order: the arm hash walks the weights in it.")
    control = serializers.CharField(allow_null=True)
    touchpoints = serializers.ListField(child=serializers.CharField(), help_text="Empty: every touchpoint.")
    segments = serializers.ListField(child=serializers.CharField(), help_text="Empty: every segment.")
    rolled_out = serializers.CharField(allow_null=True, help_text="The arm served to everyone in scope, if any.")
    standard = serializers.CharField(allow_null=True)


class SdkConfigSerializer(serializers.Serializer):
    algorithm = serializers.CharField(
        help_text="`sha256-first8-v1`: a unit's number in [0, 1) is the first 8 bytes of SHA-256 of "
        "`<seed>:<salt>:<unit>` (big-endian) divided by 2^64."
    )
    experiments = SdkRuleSerializer(many=True)


class SdkConfigView(APIView):
    authentication_classes = WITH_SERVICE_KEYS
    permission_classes = [IsAuthenticated]
    throttle_classes = [ServiceKeyThrottle]

    @extend_schema(
        summary="The assignment rules an SDK applies in-process",
        description="Every experiment in the service key's scope that is approved, running, ended but not archived, "
        "or has a rollout in force, with what the server's assignment uses: arms and weights in hashing order, "
        "exposure cap, touchpoints, segments, status and version. Send the ETag back as `If-None-Match`: an "
        "unchanged configuration answers 304 with no body.",
        parameters=[
            OpenApiParameter(
                "If-None-Match", str, OpenApiParameter.HEADER, description="The ETag of the configuration you hold."
            )
        ],
        responses={
            200: SdkConfigSerializer,
            304: OpenApiResponse(description="Unchanged since the ETag you sent."),
            401: UNAUTHORISED,
            403: SERVICE_ONLY,
            429: THROTTLED,
        },
    )
    def get(self, request):
        key = require_service_key(request, ServiceKeyAction.ASSIGN)
        document = config_for(key)
        etag = etag_of(document)
        sent = {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}
        response = Response(status=304) if etag in sent or "*" in sent else Response(document)
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"  # always ask; the ETag makes asking cheap
        return response


class SdkExposuresView(APIView):
    authentication_classes = WITH_SERVICE_KEYS
    permission_classes = [IsAuthenticated]
    throttle_classes = [ServiceKeyThrottle]

    @extend_schema(
        summary="First exposures from an SDK, counted once per unit",
        description="The units an SDK served, in batches. Pagar applies its own rule to each (not the arm the client "
        "says) and counts every enrolled unit once per experiment, in the same counts as the assignment API: a "
        "batch sent again counts nothing new. All or nothing: one bad entry refuses the batch, naming it "
        "(`exposures[3].unit`). `disagreements` lists the entries whose `variant` differs from Pagar's arm "
        "(a client on a stale configuration).",
        request=inline_serializer(
            "SdkExposures",
            {
                "exposures": inline_serializer(
                    "SdkExposure",
                    {
                        "experiment": serializers.CharField(),
                        "unit": serializers.CharField(),
                        "segment": serializers.CharField(required=False),
                        "touchpoint": serializers.CharField(required=False),
                        "variant": serializers.CharField(required=False, help_text="The arm the client served."),
                    },
                    many=True,
                )
            },
        ),
        responses={
            200: inline_serializer(
                "SdkExposuresAnswer",
                {
                    "received": serializers.IntegerField(),
                    "counted": serializers.IntegerField(),
                    "not_enrolled": serializers.IntegerField(),
                    "disagreements": serializers.ListField(child=serializers.IntegerField()),
                },
            ),
            400: BAD_EXPOSURES,
            401: UNAUTHORISED,
            403: SERVICE_ONLY,
            429: THROTTLED,
        },
    )
    def post(self, request):
        key = require_service_key(request, ServiceKeyAction.ASSIGN)
        body = request.data
        if not isinstance(body, dict) or "exposures" not in body:
            raise ValidationError({"exposures": ["Required: a list of objects with 'experiment' and 'unit'."]})
        try:
            report = record_exposures(key, body["exposures"])
        except AssignmentInputError as error:
            raise ValidationError(error.errors) from error
        return Response(report.as_dict())
