"""/experiments/<key>/data/: send an experiment's data as CSV files, see what was accepted.

Two plain forms (per-unit outcomes, daily figures) that work without JavaScript; static/js/upload.js
sends the same form by XHR to show upload progress and swaps in the report. Each form carries an
idempotency key (a fresh one per page and per chosen file), so a double submit or a reload that
posts again returns the first answer instead of writing twice.
"""

import hashlib
import uuid

from django.utils.translation import gettext as _
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

from experiments import access
from experiments.inputs.middleware import reads_own_body
from experiments.live import idempotency, ingestion
from experiments.live.ingestion_csv import parse_csv_upload, template_csv
from experiments.models import IngestBatch, Metric, MetricRole

KINDS = {kind.value: kind.label for kind in (IngestBatch.Kind.OUTCOMES, IngestBatch.Kind.DAILY)}
RECENT_BATCHES = 10


def _experiment_for_sender(user, key):
    experiment = access.get_experiment_for(user, key)
    if not access.may_send_data(user, experiment):
        raise PermissionDenied(
            _("Only this experiment's authors, signal owners and administrators may send data for it.")
        )
    return experiment


@reads_own_body("INGEST_MAX_BODY_BYTES", multipart=True)
@login_required
def experiment_data(request, key):
    experiment = _experiment_for_sender(request.user, key)
    result, status = None, 200
    if request.method == "POST":
        result = _upload(request, experiment)
        status = 200 if result["accepted"] else (413 if result.get("too_large") else 400)
    elif request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return render(request, "experiments/live/upload.html", _context(request, experiment, result), status=status)


@login_required
def experiment_data_template(request, key, kind):
    experiment = _experiment_for_sender(request.user, key)
    if kind not in KINDS:
        raise Http404("No such template.")
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{experiment.key}-{kind}-template.csv"'
    return response


def _upload(request, experiment) -> dict:
    # The file streamed to a temporary file and was dropped once past the limit
    # (experiments.inputs.uploads, installed by InputCleaningMiddleware for this view).
    kind = request.POST.get("kind", "")
    upload = request.FILES.get("file")
    result = {
        "kind": kind,
        "kind_label": KINDS.get(kind, ""),
        "file_name": getattr(upload, "name", ""),
        "accepted": False,
    }
    if kind not in KINDS:
        return {**result, "problem": "Choose which form to use: per-unit outcomes or daily figures."}
    limit = settings.INGEST_MAX_BODY_BYTES
    if getattr(request, "upload_refused", None) or (upload is not None and upload.size > limit):
        problem = f"The file is larger than {limit:,} bytes, the most one upload may be. Split it."
        return {**result, "problem": problem, "too_large": True}
    if upload is None:
        return {**result, "problem": "Choose a CSV file to upload."}
    try:
        key = idempotency.checked_key(request.POST.get("idempotency_key"))
    except idempotency.BadKey:
        return {**result, "problem": "The form lost its upload key; reload the page and choose the file again."}
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    # Read from the temporary file itself: through NamedTemporaryFile's wrapper CSV reads 3x slower.
    with open(upload.temporary_file_path(), "rb") as file:
        parsed = parse_csv_upload(file, kind)
        answer = ingestion.ingest_parsed(
            kind, request.user, parsed, key, digest.hexdigest(), IngestBatch.Source.UPLOAD, experiment=experiment
        )
    if answer.status == 422:
        return {
            **result,
            "problem": (
                "This form was already used to send a different file. "
                "The page has a fresh form now: choose the file again."
            ),
        }
    payload = answer.payload
    result.update(
        accepted=200 <= answer.status < 300,
        replayed=answer.replayed,
        status=answer.status,
        detail=payload.get("detail", ""),
        errors=payload.get("errors", []),
        error_count=payload.get("error_count", 0),
    )
    if result["accepted"]:
        arms = payload["experiments"].get(experiment.key, {}).get("arms", {})
        result["rows_written"] = payload["rows_written"]
        result["per_arm"] = [(variant, arms.get(variant.key, 0)) for variant in experiment.variants.all()]
    return result


def _context(request, experiment, result) -> dict:
    accepting = experiment.status in ingestion.ACCEPTING_DATA
    return {
        "experiment": experiment,
        "accepting": accepting,
        "first_day": ingestion.first_data_day(experiment) if accepting else None,
        "result": result,
        # A fresh key per rendered form: posting this page twice is one batch, not two.
        "forms": [
            {"kind": kind, "label": label, "key": uuid.uuid4().hex, "template_kind": kind}
            for kind, label in KINDS.items()
        ],
        "variants": experiment.variants.all(),
        # Success metrics first, as on the experiment page.
        "metrics": [
            _metric_reference(row.metric)
            for row in sorted(
                experiment.metrics.select_related("metric"), key=lambda row: row.role != MetricRole.SUCCESS
            )
        ],
        "batches": _recent_batches(experiment),
        "max_rows": ingestion.max_rows(),
        "max_bytes": settings.INGEST_MAX_BODY_BYTES,
    }


def _metric_reference(metric: Metric) -> dict:
    """What a file must hold for this metric: per-unit values and daily columns."""
    if metric.kind == Metric.Kind.BINARY:
        values = _("0 or 1")
    elif metric.kind == Metric.Kind.NPS:
        values = _("whole number 0–10")
    elif metric.min_value is not None and metric.max_value is not None:
        values = _("%(low)s to %(high)s") % {"low": f"{metric.min_value:g}", "high": f"{metric.max_value:g}"}
    elif metric.min_value is not None:
        values = _("at least %(low)s") % {"low": f"{metric.min_value:g}"}
    elif metric.max_value is not None:
        values = _("at most %(high)s") % {"high": f"{metric.max_value:g}"}
    else:
        values = _("any number")
    if metric.unit and metric.kind == Metric.Kind.MEAN:
        values = f"{values} {metric.unit}"
    return {"metric": metric, "values": values, "daily_columns": ", ".join(ingestion.DAILY_FIELDS[metric.kind])}


def _recent_batches(experiment) -> list[dict]:
    batches = IngestBatch.objects.filter(response__experiments__has_key=experiment.key).select_related("created_by")[
        :RECENT_BATCHES
    ]
    return [
        {
            "batch": batch,
            "rows": batch.response["experiments"][experiment.key].get("rows", 0),
            "error_count": batch.response.get("error_count"),
        }
        for batch in batches
    ]
