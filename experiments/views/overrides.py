"""The override forms on the experiment page post here; experiments.overrides decides and records."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from experiments import access, lifecycle
from experiments.access import may_answer_override, may_file_override
from experiments.middleware import report_refusal
from experiments.models import Outcome
from experiments.overrides import (
    OVERRIDABLE_STATUSES,
    OVERRIDE_OUTCOMES,
    agree_override,
    decline_override,
    open_override,
    request_override,
)
from experiments.verdicts import verdict_summary

ANSWERS = {"agree": agree_override, "decline": decline_override}


@require_POST
@login_required
def override_request(request, key):
    experiment = access.get_experiment_for(request.user, key)
    try:
        request_override(
            experiment, request.user, outcome=request.POST.get("outcome", ""), reason=request.POST.get("reason", "")
        )
    except lifecycle.TransitionError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Override filed: a standards keeper is asked to agree or decline."))
    return redirect(experiment)


@require_POST
@login_required
def override_answer(request, key, pk):
    experiment = access.get_experiment_for(request.user, key)
    override = get_object_or_404(experiment.overrides, pk=pk)
    answer = ANSWERS.get(request.POST.get("answer", ""))
    try:
        if answer is None:
            message = _("Answer the override with agree or decline.")
            raise lifecycle.TransitionError(message, [{"field": "answer", "message": message}])
        answer(override, request.user, reason=request.POST.get("reason", ""))
    except lifecycle.TransitionError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Override answered."))
    return redirect(experiment)


def override_panel(experiment, user, *, stop, ran) -> dict:
    """What the experiment page shows of the verdict and its overrides, and which forms this user
    gets. `stop` (its `binding_stop`) and `ran` (its `runtime_days`): read once by the page."""
    waiting = open_override(experiment)
    return {
        "verdict": verdict_summary(experiment, stop=stop, ran=ran),
        "may_file": stop is not None
        and experiment.status in OVERRIDABLE_STATUSES
        and waiting is None
        and may_file_override(user, experiment),
        "outcomes": [(value, label) for value, label in Outcome.choices if value in OVERRIDE_OUTCOMES],
        "waiting": waiting,
        "may_answer": waiting is not None and may_answer_override(user, waiting),
    }
