"""POST /api/outcomes/ and /api/daily-figures/: bulk data in, as JSON or CSV, one batch per request.

The body is read raw, counted against INGEST_MAX_BODY_BYTES as it arrives and spooled to a
temporary file (its SHA-256 is the batch's fingerprint for Idempotency-Key), then parsed here one
row at a time, not by DRF's parsers, so CSV and JSON meet exactly the same checks. Machines send
with a service key that may send data (a person's token or session gets 403; people use the upload
page); the experiments named must be in the key's scope, and per row the key's maker must be
allowed to send (experiments.access.may_send_data).
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments.api.exceptions import refusal
from experiments.api.serializers import RefusalSerializer
from experiments.api.service_key_auth import WITH_SERVICE_KEYS, ServiceKeyThrottle, require_service_key
from experiments.errors import CODE_FOR_STATUS
from experiments.inputs import bounded_body
from experiments.inputs.middleware import reads_own_body
from experiments.live import idempotency, ingestion
from experiments.live.ingestion_csv import parse_body
from experiments.models import IngestBatch, ServiceKeyAction

KEY_PARAMETER = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique value per batch (e.g. a UUID). Retrying with the same key and body returns the first "
    "answer with `Idempotent-Replayed: true` and writes nothing; the same key with another body is refused (422).",
)


class OutcomeRowSerializer(serializers.Serializer):
    experiment = serializers.SlugField(help_text="Experiment key.")
    unit = serializers.CharField(max_length=200, help_text="The unit (customer, case, session) the outcome belongs to.")
    arm = serializers.SlugField(help_text="Variant key; must be the arm the unit was assigned to.")
    metric = serializers.SlugField(help_text="Metric key, one of the experiment's metrics.")
    value = serializers.FloatField(
        help_text="Binary metrics 0 or 1; NPS a whole number 0-10; mean metrics within the metric's range."
    )
    time = serializers.DateTimeField(
        help_text="When it was observed, ISO 8601 with an offset or Z; within the experiment's run, not in the future."
    )
    segment = serializers.SlugField(
        required=False,
        help_text="Optional: a catalogue segment key (see GET /api/segments/). Kept for the per-segment "
        "breakdown, which is exploration only; the checks decide on the whole population.",
    )
    pre_value = serializers.FloatField(
        required=False,
        help_text="Optional, mean metrics only: the unit's value of the metric before the experiment. When every "
        "unit of both arms has one, the checks use the CUPED estimate (smaller intervals).",
    )


class OutcomesBodySerializer(serializers.Serializer):
    rows = OutcomeRowSerializer(many=True)


class DailyFigureRowSerializer(serializers.Serializer):
    experiment = serializers.SlugField()
    arm = serializers.SlugField()
    metric = serializers.SlugField()
    day = serializers.DateField(
        help_text="A day that is over, from the day the experiment started through its planned end."
    )
    n = serializers.IntegerField(min_value=0, help_text="Units counted that day.")
    successes = serializers.IntegerField(
        required=False, help_text="Binary metrics only: units with value 1 (at most n)."
    )
    sum = serializers.FloatField(required=False, help_text="Mean and NPS metrics: sum of the values.")
    sum_sq = serializers.FloatField(required=False, help_text="Mean and NPS metrics: sum of the squared values.")
    promoters = serializers.IntegerField(required=False, help_text="NPS only: scores of 9-10.")
    detractors = serializers.IntegerField(required=False, help_text="NPS only: scores of 0-6.")
    segment = serializers.SlugField(
        required=False,
        help_text="Optional: a catalogue segment key. A cell (experiment, arm, metric, day) may come as one row per "
        "segment (and at most one row without), all in one batch; they add up to the whole population.",
    )
    pre_sum = serializers.FloatField(
        required=False,
        help_text="Optional, mean metrics, with pre_sum_sq and pre_cross: sum of the units' pre-period values.",
    )
    pre_sum_sq = serializers.FloatField(required=False, help_text="Sum of the squared pre-period values.")
    pre_cross = serializers.FloatField(required=False, help_text="Sum of pre-period value x outcome value.")


class DailyFiguresBodySerializer(serializers.Serializer):
    rows = DailyFigureRowSerializer(many=True)


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="1-based data row (null for the CSV header).")
    line = serializers.IntegerField(required=False, help_text="CSV only: the file line.")
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ArmCountsSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    arms = serializers.DictField(child=serializers.IntegerField(), help_text="Rows written per arm key.")


class AcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    kind = serializers.ChoiceField(choices=IngestBatch.Kind.choices)
    rows_written = serializers.IntegerField()
    experiments = serializers.DictField(child=ArmCountsSerializer(), help_text="Per experiment key.")


class RefusedSerializer(RefusalSerializer):
    """The API's refusal (experiments.api.exceptions) with the per-row report of a refused batch."""

    errors = RowErrorSerializer(many=True, required=False, help_text="The first 1000 errors.")
    error_count = serializers.IntegerField(required=False)
    rows_received = serializers.IntegerField(required=False)
    field = serializers.CharField(required=False, help_text="The header at fault (Idempotency-Key).")


def _responses():
    return {
        201: OpenApiResponse(
            AcceptedSerializer, description="Every row was written and added into the daily statistics."
        ),
        400: OpenApiResponse(
            RefusedSerializer,
            description="Missing Idempotency-Key, unreadable body, or rows with errors: nothing written.",
        ),
        401: OpenApiResponse(
            RefusedSerializer, description="No credentials, or a service key that is unknown, revoked or expired."
        ),
        403: OpenApiResponse(
            RefusedSerializer,
            description="Not a service key that may send data, or an experiment outside the key's scope (named).",
        ),
        409: OpenApiResponse(RefusedSerializer, description="A request with this key is still being processed."),
        413: OpenApiResponse(RefusedSerializer, description="Too many rows or too large a body."),
        415: OpenApiResponse(RefusedSerializer, description="Not JSON or CSV."),
        422: OpenApiResponse(RefusedSerializer, description="This Idempotency-Key was used for a different body."),
        429: OpenApiResponse(
            RefusedSerializer, description="This service key made too many calls; retry after the time given."
        ),
    }


def _ingest(request, kind) -> Response:
    service_key = require_service_key(request, ServiceKeyAction.SEND_DATA)
    try:
        key = idempotency.checked_key(request.headers.get(idempotency.HEADER))
    except idempotency.BadKey as refusal:
        return _respond(refusal.answer)
    django_request = request._request
    # Not read past the limit, so not fingerprinted or recorded: the key stays free for the split batches.
    # (InputCleaningMiddleware already refused a Content-Length over it; this counts what arrives.)
    with bounded_body.spooled(django_request, settings.INGEST_MAX_BODY_BYTES) as body:
        if body.too_large:
            return _respond(idempotency.Answer(413, {"detail": body.too_large}))
        parsed = parse_body(body.file, django_request.content_type, kind)
        answer = ingestion.ingest_parsed(
            kind, request.user, parsed, key, body.sha256, IngestBatch.Source.API, service_key=service_key
        )
    return _respond(answer)


def _respond(answer: idempotency.Answer) -> Response:
    payload = answer.payload
    if answer.status >= 400 and "code" not in payload:
        # A refusal like every other API error: detail, code and problems, then the batch's own report.
        problems = [{"field": payload["field"], "message": payload["detail"]}] if payload.get("field") else []
        payload = {
            **refusal(payload["detail"], CODE_FOR_STATUS.get(answer.status, "invalid"), problems),
            **{key: value for key, value in payload.items() if key != "detail"},
        }
    response = Response(payload, status=answer.status)
    if answer.replayed:
        response[idempotency.REPLAY_HEADER] = "true"
    return response


CSV_EXAMPLE_OUTCOMES = (
    "experiment,unit,arm,metric,value,time\n"
    "chat-greeting,customer-1001,control,fcr,1,2026-03-04T10:15:00Z\n"
    "chat-greeting,customer-1002,short,fcr,0,2026-03-04T11:02:00+01:00\n"
)
CSV_EXAMPLE_DAILY = (
    "experiment,arm,metric,day,n,successes,sum,sum_sq,promoters,detractors\n"
    "chat-greeting,control,fcr,2026-03-04,812,571,,,,\n"
    "chat-greeting,control,csat,2026-03-04,240,,1002,4380,,\n"
    "chat-greeting,control,nps,2026-03-04,120,,900,7400,50,20\n"
)


@reads_own_body("INGEST_MAX_BODY_BYTES")
class OutcomesView(APIView):
    authentication_classes = WITH_SERVICE_KEYS
    permission_classes = [IsAuthenticated]
    throttle_classes = [ServiceKeyThrottle]

    @extend_schema(
        summary="Send per-unit outcomes (a batch of up to INGEST_MAX_ROWS rows)",
        description=(
            'JSON `{"rows": [{experiment, unit, arm, metric, value, time}, ...]}` or a `text/csv` body with that '
            "header row. "
            "Every row is checked (you may send data for experiments you author, or as a signal owner; the experiment "
            "must be "
            "running, stopped or completed; the arm must be the unit's assigned arm; values within the metric's range; "
            "times "
            "from the day it started through its planned end, not in the future; no duplicates of the same experiment, "
            "metric, "
            "unit and time). One bad row refuses the whole batch with a per-row report and nothing is written."
        ),
        parameters=[KEY_PARAMETER],
        request={"application/json": OutcomesBodySerializer, "text/csv": OpenApiTypes.STR},
        responses=_responses(),
        examples=[OpenApiExample("CSV body", value=CSV_EXAMPLE_OUTCOMES, media_type="text/csv", request_only=True)],
    )
    def post(self, request):
        return _ingest(request, IngestBatch.Kind.OUTCOMES)


@reads_own_body("INGEST_MAX_BODY_BYTES")
class DailyFiguresView(APIView):
    authentication_classes = WITH_SERVICE_KEYS
    permission_classes = [IsAuthenticated]
    throttle_classes = [ServiceKeyThrottle]

    @extend_schema(
        summary="Send pre-aggregated daily figures per arm",
        description=(
            "One row per experiment, arm, metric and day, sent once, for a day that is over. Every row has `n` (units "
            "that "
            "day). Binary metrics add `successes` (<= n). Mean metrics add `sum` and `sum_sq` (sum of values and of "
            "squared "
            "values; they must fit n values in the metric's range). NPS metrics add `promoters` (9-10), `detractors` "
            "(0-6), "
            "`sum` and `sum_sq` of the 0-10 scores (consistent with those counts). Leave the other columns empty. "
            "A day with per-unit outcomes already sent cannot also get daily figures, and the other way round."
        ),
        parameters=[KEY_PARAMETER],
        request={"application/json": DailyFiguresBodySerializer, "text/csv": OpenApiTypes.STR},
        responses=_responses(),
        examples=[OpenApiExample("CSV body", value=CSV_EXAMPLE_DAILY, media_type="text/csv", request_only=True)],
    )
    def post(self, request):
        return _ingest(request, IngestBatch.Kind.DAILY)
