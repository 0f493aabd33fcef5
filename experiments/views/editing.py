"""Propose and edit: one page with the experiment form and its variant and metric rows."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse

from experiments import access, contract, hooks, lifecycle, policy
from experiments.forms import ExperimentForm, MetricFormSet, VariantFormSet
from experiments.models import Experiment, Metric, Status
from experiments.views.transition import report_refusal

SUBMIT = "submit"
# The hypothesis labels ("If we…") read well in the form, not alone in the error summary.
SUMMARY_LABELS = {
    "hypothesis_change": "Hypothesis: the change",
    "hypothesis_audience": "Hypothesis: for whom",
    "hypothesis_effect": "Hypothesis: the expected effect",
    "hypothesis_rationale": "Hypothesis: because",
}


@login_required
def experiment_create(request):
    if not access.can_propose(request.user):
        raise PermissionDenied("Only proposers may propose experiments. Ask an administrator for the proposer role.")
    return _edit_page(request, Experiment(owner=request.user, status=Status.DRAFT))


@login_required
def experiment_edit(request, key):
    experiment = access.get_experiment_for(request.user, key, edit=True)
    return _edit_page(request, experiment)


def _edit_page(request, experiment):
    creating = experiment.pk is None
    owner = experiment.owner
    data = request.POST if request.method == "POST" else None
    form = ExperimentForm(data, instance=experiment, owner=owner)
    variants = VariantFormSet(data, instance=experiment, prefix="variants")
    metrics = MetricFormSet(data, instance=experiment, prefix="metrics")

    refused = None
    if data is not None and all([form.is_valid(), variants.is_valid(), metrics.is_valid()]):
        try:
            experiment, resubmitted = _save(form, variants, metrics, request.user, creating)
        except PermissionDenied as denied:
            messages.error(request, f"Nothing was saved: {denied}")
            return redirect(experiment)
        except lifecycle.TransitionError as refusal:
            # An edit that re-submits is checked like a submit (experiments.contract); rolled back.
            refused = refusal
        else:
            return _after_save(request, experiment, resubmitted)

    if refused is not None:
        problems = _with_anchors(refused.problems)
    else:
        problems = [] if creating or data is not None else _with_anchors(policy.blocking_problems(experiment))
    # The limits, approvals and never-test list shown next to the fields: the check's own rules.
    summary = contract.policy_summary()
    return render(
        request,
        "experiments/form.html",
        {
            "creating": creating,
            "experiment": experiment,
            "form": form,
            "variants": variants,
            "metrics": metrics,
            "problems": problems,
            "refusal": refused.message if refused is not None else "",
            "problems_by_field": _group(problems),
            "error_summary": _error_summary(form, variants, metrics) if data is not None else [],
            "metric_keys": {str(m.pk): m.key for m in Metric.objects.filter(is_active=True)},
            "policy": summary,
            "mandatory_guardrails": _mandatory_guardrails(summary),
            "calculator_url": reverse("api-calculator"),
            "cancel_url": reverse("dashboard") if creating else experiment.get_absolute_url(),
            # Other apps' hints (approvals: the approvals an edit withdraws, suggested approvers).
            **{k: v for hook in hooks.registry.get("edit_context") for k, v in hook.fn(experiment, form).items()},
        },
    )


def _after_save(request, experiment, resubmitted):
    if resubmitted:
        messages.success(
            request,
            "Saved. The approvals given so far are withdrawn: the approvers are asked to decide on this version.",
        )
        return redirect(experiment)
    if experiment.edit_reopens_approval:
        messages.success(request, "Saved. Nothing the approvers decide on changed, so their approvals stand.")
        return redirect(experiment)
    if request.POST.get("intent") != SUBMIT:
        messages.success(request, "Draft saved.")
        return redirect(experiment)
    try:
        lifecycle.transition(experiment, "submit", request.user)
    except lifecycle.TransitionError as exc:
        messages.warning(request, "Your draft is saved but was not submitted.")
        report_refusal(request, exc)
        return redirect("experiment-edit", key=experiment.key)
    approver = experiment.approver.get_full_name() or experiment.approver
    messages.success(request, f"Submitted for approval. {approver} will be asked to decide.")
    return redirect(experiment)


@transaction.atomic
def _save(form, variants, metrics, user, creating):
    """Save the proposal; returns it and the approval request an edit reopened (or None)."""
    if not creating:
        # Lock and look again: an approver may have decided since the page was loaded.
        locked = Experiment.objects.select_for_update().get(pk=form.instance.pk)
        if not access.can_edit(user, locked):
            raise PermissionDenied(
                f"this experiment is now {locked.get_status_display().lower()} and can no longer be edited."
            )
    experiment = form.save(commit=False)
    if creating:
        experiment.owner = user
        experiment.status = Status.DRAFT
    experiment.save()
    form.save_m2m()
    for formset in (variants, metrics):
        formset.instance = experiment
        formset.save()
    for hook in hooks.registry.get("form_saved"):
        hook.fn(experiment, form.data, user)
    if creating:
        lifecycle.record_creation(experiment, user)
        return experiment, None
    reopened = lifecycle.after_edit(experiment, user)
    return experiment, reopened[0] if reopened else None


def _error_summary(form, variants, metrics):
    """(anchor, where, message) for every error, so the summary at the top links to each field."""
    items = []

    def add_form(f, where_prefix):
        for name, errors in f.errors.items():
            if name == "__all__":
                anchor, where = f"field-{f.prefix or 'form'}", where_prefix.rstrip(": ") or "Form"
            else:
                anchor = f"field-{f[name].html_name}"
                where = f"{where_prefix}{SUMMARY_LABELS.get(name, f[name].label)}"
            items.extend((anchor, where, message) for message in errors)

    add_form(form, "")
    for title, formset in (("Variants", variants), ("Metrics", metrics)):
        items.extend((f"section-{title.lower()}", title, message) for message in formset.non_form_errors())
        for number, row in enumerate(formset.forms, 1):
            add_form(row, f"{title} row {number}: ")
    return items


def _with_anchors(problems):
    """Policy problems name a field or a section ("metrics", "variants"); link each to it."""
    sections = {"metrics", "variants", "hypothesis"}
    return [
        {**p, "anchor": f"section-{p['field']}" if p["field"] in sections else f"field-{p['field']}"} for p in problems
    ]


def _group(problems):
    grouped = defaultdict(list)
    for problem in problems:
        grouped[problem["field"]].append(problem["message"])
    return dict(grouped)


def _mandatory_guardrails(summary):
    """Which guardrails the policy demands, and where: shown above the metric rows."""
    rules = [(m["name"], "every experiment") for m in summary["mandatory_guardrails"]]
    by_metric = defaultdict(list)
    for touchpoint in summary["touchpoints"]:
        for metric in touchpoint["mandatory_guardrails"]:
            by_metric[metric["name"]].append(touchpoint["name"])
    everywhere = {name for name, _ in rules}
    rules += [(name, ", ".join(tps)) for name, tps in sorted(by_metric.items()) if name not in everywhere]
    return rules
