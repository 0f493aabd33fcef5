"""GET /api/experiments/<key>/assignment/ for services: a plain view for the common call.

A service calling with its key, for a unit it may be assigned, is answered here without DRF's
per-request machinery (request wrapping, negotiation, serializers): the key from memory
(experiments.service_key_cache), one indexed read of the experiment's status and version, its rule
from the per-process cache (experiments.live.assignment, invalidated by that version and
`updated_at`), the rule itself (`assignment.decide`), the count through the assignment buffer.

Anything else — a person's sign-in, a refused key, bad input, a draft, an experiment outside the
key's scope, a throttled key, an Accept header asking for more than JSON — goes to the DRF view
(experiments.live.api_assignment.AssignmentView), which answers exactly as before and documents the
contract. So behaviour and OpenAPI are those of the DRF view; this only skips its cost when the
answer is a 200.
"""

import functools
import json

from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from experiments import service_key_cache, service_keys
from experiments.api.service_key_auth import KEYWORD, ServiceKeyThrottle
from experiments.live import assignment, assignment_buffer
from experiments.live.api_assignment import AssignmentView
from experiments.live.units import BadUnitId, clean_unit_id
from experiments.models import Experiment, Status

_drf_view = AssignmentView.as_view()
_JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})
_STATE_SQL = None  # built on first use


class _Caller:
    """What ServiceKeyThrottle reads of a request (the key, as DRF's `request.auth`)."""

    __slots__ = ("auth",)

    def __init__(self, key):
        self.auth = key


def _secret(request) -> str | None:
    secret = request.META.get("HTTP_X_PAGAR_KEY")
    if secret is not None:
        return secret
    words = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(words) == 2 and words[0].lower() == KEYWORD.lower():
        return words[1]
    return None


def _state(experiment_key: str):
    """(pk, status, stamp) of the experiment, by its unique key: the one query of the call."""
    global _STATE_SQL
    if _STATE_SQL is None:
        quote = connection.ops.quote_name
        _STATE_SQL = (
            f"SELECT id, status, updated_at, config_version FROM {quote(Experiment._meta.db_table)} "
            f"WHERE {quote('key')} = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, [experiment_key])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], (row[2], row[3]))


def _answer(request, experiment_key: str):
    """The 200 answer, or None when the DRF view must answer (see the module docstring)."""
    if request.method != "GET" or request.META.get("HTTP_ACCEPT", "") not in _JSON_ACCEPTS:
        return None
    secret = _secret(request)
    if secret is None or "format" in request.GET:
        return None
    key = service_key_cache.usable_key(secret)
    if key is None or not key.can_assign:
        return None
    if not ServiceKeyThrottle().allow_request(_Caller(key), None):
        return None
    params = request.GET
    try:
        unit = clean_unit_id(params.get("unit"))
    except BadUnitId:
        return None
    segment = params.get("segment") or None
    touchpoint = params.get("touchpoint") or None
    state = _state(experiment_key)
    if state is None or state[1] == Status.DRAFT:  # drafts: the DRF view applies who may see them
        return None
    pk, status, stamp = state
    config = assignment.rule_from_row(pk, experiment_key, stamp)
    if not service_keys.covers(key, config.pk, config.touchpoints):
        return None
    if assignment.unknown_catalogue_keys(config, segment, touchpoint):
        return None
    answer = assignment.decide(config, status, unit, segment, touchpoint)
    body = answer.as_dict()
    if answer.enrolled:
        assignment_buffer.record(config.pk, unit, config.variant_ids[answer.variant], timezone.localdate(), key.pk)
        body["counted"] = True
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")), content_type="application/json"
    )
    response["Vary"] = "Accept"
    response["Allow"] = "GET, HEAD, OPTIONS"
    return response


@csrf_exempt  # as DRF's view: its session authentication enforces CSRF itself
def assignment_view(request, key):
    return _answer(request, key) or _drf_view(request, key=key)


# The DRF view's attributes (`cls`, `initkwargs`): drf-spectacular documents this route from them,
# so the OpenAPI contract stays the DRF view's.
functools.update_wrapper(assignment_view, _drf_view)
