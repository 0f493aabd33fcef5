"""Owners ask to change an approved or running experiment (an amendment), or to restart a stopped one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from approvals import access, services
from approvals.models import ApprovalRequest
from approvals.snapshots import contract_of, diff_rows
from approvals.views.forms import AmendmentForm, MetricChangeForm, MetricChangeFormSet
from experiments import access as experiment_access
from experiments import lifecycle
from experiments.views.transition import report_refusal


@login_required
def amend(request, key):
    experiment = experiment_access.get_experiment_for(request.user, key)
    refusal = access.amend_refusal(request.user, experiment)
    if refusal:
        raise PermissionDenied(refusal.message)
    base = services.approved_snapshot(experiment)
    contract = base.data if base else contract_of(experiment)
    pending = experiment.approval_requests.filter(
        kind=ApprovalRequest.Kind.AMENDMENT, status=ApprovalRequest.State.OPEN
    ).first()
    diff = None
    if request.method == "POST":
        form = AmendmentForm(request.POST)
        metrics = MetricChangeFormSet(request.POST, prefix="metrics")
        if form.is_valid() and metrics.is_valid():
            changes = {**form.changes(), "metrics": metrics.rows()}
            diff = diff_rows(contract, {**contract, **changes})
            if request.POST.get("step") == "submit":
                try:
                    services.request_amendment(experiment, request.user, changes, reason=form.cleaned_data["reason"])
                except lifecycle.TransitionError as exc:
                    report_refusal(request, exc)
                else:
                    messages.success(request, "Amendment requested. The approved contract holds until it is approved.")
                    return redirect(experiment)
    else:
        form = AmendmentForm(initial=AmendmentForm.initial_from(contract))
        metrics = MetricChangeFormSet(
            prefix="metrics", initial=[MetricChangeForm.initial_from(r) for r in contract["metrics"]]
        )
    return render(
        request,
        "approvals/amend.html",
        {
            "experiment": experiment,
            "form": form,
            "metrics": metrics,
            "diff": diff,
            "pending": pending,
            "base": base,
        },
    )


@require_POST
@login_required
def request_restart(request, key):
    experiment = experiment_access.get_experiment_for(request.user, key)
    try:
        services.request_restart(experiment, request.user, request.POST.get("reason", ""))
    except lifecycle.TransitionError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, "Restart requested. It runs again once the approvers agree.")
    return redirect(experiment)
