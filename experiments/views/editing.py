"""Propose and edit: one page with the experiment form and its variant and metric rows."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from experiments import access, contract, hooks, lifecycle, policy
from experiments.forms import ExperimentForm, MetricFormSet, VariantFormSet, error_links, metric_fields_table
from experiments.models import Experiment, Metric, SensitiveCategory, Status
from experiments.views.calculator_text import calculator_text
from experiments.views.proposal_steps import fields_named_in, steps_of
from experiments.views.transition import report_refusal

SUBMIT = "submit"
# The hypothesis labels ("If we…") read well in the form, not alone in the error summary.
SUMMARY_LABELS = {
    "hypothesis_change": gettext_lazy("Hypothesis: the change"),
    "hypothesis_audience": gettext_lazy("Hypothesis: for whom"),
    "hypothesis_effect": gettext_lazy("Hypothesis: the expected effect"),
    "hypothesis_rationale": gettext_lazy("Hypothesis: because"),
}


@login_required
def experiment_create(request):
    if not access.can_propose(request.user):
        raise PermissionDenied(_("Only proposers may propose experiments. Ask an administrator for the proposer role."))
    return _edit_page(request, Experiment(owner=request.user, status=Status.DRAFT))


@login_required
def experiment_edit(request, key):
    experiment = access.get_experiment_for(request.user, key, edit=True)
    return _edit_page(request, experiment)


def _edit_page(request, experiment):
    creating = experiment.pk is None
    owner = experiment.owner
    # Before the form is bound: a draft's key typed but refused must not change where Cancel leads.
    cancel_url = reverse("dashboard") if creating else experiment.get_absolute_url()
    data = request.POST if request.method == "POST" else None
    form = ExperimentForm(data, instance=experiment, owner=owner)
    variants = VariantFormSet(data, instance=experiment, prefix="variants")
    metrics = MetricFormSet(data, instance=experiment, prefix="metrics")

    refused = None
    if data is not None and all([form.is_valid(), variants.is_valid(), metrics.is_valid()]):
        try:
            experiment, resubmitted = _save(form, variants, metrics, request.user, creating)
        except PermissionDenied as denied:
            messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": denied})
            return redirect(cancel_url)
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
    metrics_in_use = Metric.objects.filter(is_active=True)
    context_from_apps = {
        k: v for hook in hooks.registry.get("edit_context") for k, v in hook.fn(experiment, form).items()
    }
    request_for_changes = context_from_apps.get("changes_requested")
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
            "error_links": _error_links(form, variants, metrics) if data is not None else [],
            "metric_keys": {str(m.pk): m.key for m in metrics_in_use},
            # Which fields each metric row shows: the kind of each metric and the one rule's table.
            "metric_kinds": {str(m.pk): m.kind for m in metrics_in_use},
            "metric_fields": metric_fields_table(),
            # The sensitive categories that ask for the AI safeguards: the form shows those fields then.
            "ai_category_ids": [
                str(pk)
                for pk in SensitiveCategory.objects.filter(
                    key__in=[c["key"] for c in summary["sensitive_categories"] if c["needs_ai_safeguards"]]
                ).values_list("pk", flat=True)
            ],
            "steps": steps_of(form, variants, metrics, problems),
            "request_links": fields_named_in(request_for_changes.comment, form) if request_for_changes else [],
            "policy": summary,
            "mandatory_guardrails": _mandatory_guardrails(summary),
            "calculator_url": reverse("api-calculator"),
            "calculator_text": calculator_text(),
            "cancel_url": cancel_url,
            # Other apps' hints (approvals: the approvals an edit withdraws, suggested approvers,
            # the request for changes being answered).
            **context_from_apps,
        },
    )


def _after_save(request, experiment, resubmitted):
    if resubmitted:
        messages.success(
            request,
            _("Saved. The approvals given so far are withdrawn: the approvers are asked to decide on this version."),
        )
        return redirect(experiment)
    if experiment.edit_reopens_approval:
        messages.success(request, _("Saved. Nothing the approvers decide on changed, so their approvals stand."))
        return redirect(experiment)
    if request.POST.get("intent") != SUBMIT:
        messages.success(request, _("Draft saved."))
        return redirect(experiment)
    try:
        lifecycle.transition(experiment, "submit", request.user)
    except lifecycle.TransitionError as exc:
        messages.warning(request, _("Your draft is saved but was not submitted."))
        report_refusal(request, exc)
        return redirect("experiment-edit", key=experiment.key)
    approver = experiment.approver.get_full_name() or experiment.approver
    messages.success(
        request, _("Submitted for approval. %(approver)s will be asked to decide.") % {"approver": approver}
    )
    return redirect(experiment)


@transaction.atomic
def _save(form, variants, metrics, user, creating):
    """Save the proposal; returns it and the approval request an edit reopened (or None)."""
    if not creating:
        # Lock and look again: an approver may have decided since the page was loaded.
        locked = Experiment.objects.select_for_update().get(pk=form.instance.pk)
        if not access.can_edit(user, locked):
            raise PermissionDenied(
                _("this experiment is now %(status)s and can no longer be edited.")
                % {"status": locked.get_status_display().lower()}
            )
        if locked.key != form.cleaned_data["key"] and not lifecycle.key_is_free(locked):
            # Submitted by a co-author since the page was loaded: the key is fixed from then on.
            raise PermissionDenied(_("the proposal has been submitted since you opened it; its key is now fixed."))
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


def _error_links(form, variants, metrics):
    """(anchor, message) for every error of the form and its rows: the one error summary at the
    top (components/error_summary.html) links each to its field."""
    items = error_links(form, labels=SUMMARY_LABELS)
    for section, title, formset in (("variants", _("Variants"), variants), ("metrics", _("Metrics"), metrics)):
        items.extend(
            (f"section-{section}", _("%(label)s: %(error)s") % {"label": title, "error": message})
            for message in formset.non_form_errors()
        )
        for number, row in enumerate(formset.forms, 1):
            items.extend(
                error_links(row, where=_("%(section)s row %(number)s: ") % {"section": title, "number": number})
            )
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
    rules = [(m["name"], _("every experiment")) for m in summary["mandatory_guardrails"]]
    by_metric = defaultdict(list)
    for touchpoint in summary["touchpoints"]:
        for metric in touchpoint["mandatory_guardrails"]:
            by_metric[metric["name"]].append(touchpoint["name"])
    everywhere = {name for name, _ in rules}
    rules += [(name, ", ".join(tps)) for name, tps in sorted(by_metric.items()) if name not in everywhere]
    return rules
