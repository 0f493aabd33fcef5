"""One experiment: decision and status first, then the evidence (for a running or checked one:
the latest check's decision, the metrics, charts, data freshness and the check history)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import render

from experiments import access, charter, drafting, hooks, lessons, lifecycle, policy, verdicts
from experiments.live.ingestion import ACCEPTING_DATA
from experiments.live.presentation import live_page
from experiments.models import ExperimentMetric, MetricRole
from experiments.planning import PlanningError, plan_for_experiment
from experiments.views.next_step import next_step
from experiments.views.overrides import override_panel

# Policy problems are shown while they still block submitting.
SUBMITTABLE = lifecycle.MOVES["submit"].sources


@login_required
def experiment_detail(request, key):
    experiment = access.get_experiment_for(request.user, key)
    # What the page and its panels read of the experiment, once: its authors (asked by each
    # permission), scope (policy, standards, charters) and metrics (plan, metrics, segments).
    prefetch_related_objects(
        [experiment],
        "co_authors",
        "touchpoints",
        "segments",
        "sensitive_categories",
        "variants",
        Prefetch("metrics", queryset=ExperimentMetric.objects.select_related("metric")),
    )
    charter.remember_relations(experiment)
    plan, plan_error = None, None
    try:
        plan = plan_for_experiment(experiment)
    except PlanningError as exc:
        plan_error = exc.message
    # Other apps' sections of the page (approvals: requests, decisions, the decision forms).
    panels = dict(hook.fn(experiment, request.user) for hook in hooks.registry.get("detail_panel"))
    moves = lifecycle.available_moves(request.user, experiment)
    if any(panel.get("decides_here") for panel in panels.values()):
        # A panel has the decision forms, with a comment box; no second set of buttons.
        delegated = lifecycle.delegated_actions()
        moves = [m for m in moves if m.action not in delegated]
    # The checks' record and the runtime, read once for the conclude form and the verdict panel.
    stop, ran = verdicts.binding_stop(experiment), verdicts.runtime_days(experiment)
    units_per_arm = []
    if plan is not None:
        units_per_arm = [(v, plan.units_per_arm.get(v.key)) for v in experiment.variants.all()]
    return render(
        request,
        "experiments/detail.html",
        {
            "experiment": experiment,
            "next_step": next_step(experiment, request.user),
            "moves": moves,
            "lesson": lessons.state(experiment, request.user),
            **panels,
            # Only the outcomes the checks' record allows (experiments.verdicts); the guard refuses the rest.
            "outcomes": verdicts.outcome_choices(experiment, stop=stop),
            "can_edit": access.can_edit(request.user, experiment),
            "can_send_data": experiment.status in ACCEPTING_DATA and access.may_send_data(request.user, experiment),
            "problems": policy.blocking_problems(experiment) if experiment.status in SUBMITTABLE else [],
            "overlapping": list(policy.overlapping_experiments(experiment)),
            "variants": experiment.variants.all(),
            # Success metrics first: they say what the experiment is for; guardrails follow.
            "metrics": sorted(experiment.metrics.all(), key=lambda row: row.role != MetricRole.SUCCESS),
            "plan": plan,
            "plan_error": plan_error,
            "units_per_arm": units_per_arm,
            "events": experiment.events.select_related("actor"),
            # Checks, charts and data freshness once it has run (None before: the page is as it was).
            "live": live_page(experiment),
            "overrides": override_panel(experiment, request.user, stop=stop, ran=ran),
            "runtime_days": ran,
            # Other apps' notes on the proposal (standards: those in force on its scope).
            "proposal_sections": hooks.proposal_sections(experiment),
            "may_start_from": drafting.may_start_from(request.user, experiment),
        },
    )
