"""Guardrail policy at submit (blocking_problems) and the overlap warning for approvers."""

import datetime as dt

import pytest
from django.utils import timezone

from experiments.models import ExperimentMetric, GuardrailPolicy, Metric, Status
from experiments.policy import blocking_problems, overlapping_experiments
from tests.factories import make_experiment, make_user


def problem(field, message):
    return {"field": field, "message": message}


def drop_metric(experiment, key):
    experiment.metrics.filter(metric__key=key).delete()


def add_guardrail(experiment, key, margin=0.5, rate=2.0):
    ExperimentMetric.objects.create(
        experiment=experiment,
        metric=Metric.objects.get(key=key),
        role="guardrail",
        non_inferiority_margin=margin,
        baseline_rate=rate,
    )


def test_a_compliant_proposal_has_no_problems(draft):
    assert blocking_problems(draft) == []


# --- metrics -------------------------------------------------------------------------------


def test_no_success_metric(draft):
    draft.metrics.filter(role="success").delete()
    assert blocking_problems(draft) == [
        problem("metrics", "Add at least one success metric with its minimum detectable effect.")
    ]


def test_no_guardrail_metric(proposer, approver):
    experiment = make_experiment(proposer, approver, touchpoints=("web",))
    experiment.metrics.filter(role="guardrail").delete()
    assert blocking_problems(experiment) == [
        problem("metrics", "Add at least one guardrail metric with its non-inferiority margin."),
        problem("metrics", "Complaint rate is a mandatory guardrail for the guardrail policy; add it as a guardrail."),
    ]


def test_complaint_rate_is_mandatory_everywhere(proposer, approver):
    experiment = make_experiment(proposer, approver, touchpoints=("web",))
    drop_metric(experiment, "complaint-rate")
    assert blocking_problems(experiment) == [
        problem("metrics", "Complaint rate is a mandatory guardrail for the guardrail policy; add it as a guardrail.")
    ]


@pytest.mark.parametrize("touchpoint, name", [("chat", "Chat"), ("phone", "Phone")])
def test_escalation_rate_is_mandatory_on_chat_and_phone(proposer, approver, touchpoint, name):
    experiment = make_experiment(proposer, approver, touchpoints=(touchpoint,))
    drop_metric(experiment, "escalation-rate")
    assert blocking_problems(experiment) == [
        problem(
            "metrics", f"Escalation rate is a mandatory guardrail for the {name} touchpoint; add it as a guardrail."
        )
    ]


def test_escalation_rate_is_not_required_on_the_web(proposer, approver):
    experiment = make_experiment(proposer, approver, touchpoints=("web",))
    drop_metric(experiment, "escalation-rate")
    assert blocking_problems(experiment) == []


def test_refund_rate_is_mandatory_on_billing(proposer, approver):
    experiment = make_experiment(proposer, approver, touchpoints=("billing",))
    assert blocking_problems(experiment) == [
        problem("metrics", "Refund rate is a mandatory guardrail for the Billing touchpoint; add it as a guardrail.")
    ]
    add_guardrail(experiment, "refund-rate")
    assert blocking_problems(experiment) == []


def test_a_mandatory_metric_counts_only_as_a_guardrail(proposer, approver):
    experiment = make_experiment(proposer, approver, touchpoints=("web",))
    experiment.metrics.filter(metric__key="complaint-rate").update(
        role="success", minimum_detectable_effect=0.5, non_inferiority_margin=None
    )
    assert problem(
        "metrics", "Complaint rate is a mandatory guardrail for the guardrail policy; add it as a guardrail."
    ) in blocking_problems(experiment)


def test_guardrails_the_admin_adds_to_the_policy_are_enforced(draft):
    GuardrailPolicy.current().mandatory_guardrails.add(Metric.objects.get(key="churn"))
    assert blocking_problems(draft) == [
        problem("metrics", "Churn rate is a mandatory guardrail for the guardrail policy; add it as a guardrail.")
    ]


# --- scope ---------------------------------------------------------------------------------


def test_no_touchpoint(draft):
    draft.touchpoints.clear()
    assert blocking_problems(draft) == [problem("touchpoints", "Name at least one touchpoint the experiment changes.")]


def test_exposure_over_the_policy_maximum(proposer, approver):
    at_max = make_experiment(proposer, approver, exposure_cap_pct=50)
    over = make_experiment(proposer, approver, exposure_cap_pct="50.01")
    over.refresh_from_db()
    assert blocking_problems(at_max) == []
    assert blocking_problems(over) == [
        problem("exposure_cap_pct", "Exposure cap 50.01% is above the policy maximum of 50%.")
    ]


# --- dates ---------------------------------------------------------------------------------


def test_duration_over_the_policy_maximum(proposer, approver):
    start = timezone.localdate() + dt.timedelta(days=1)
    sixty = make_experiment(proposer, approver, planned_start=start, planned_end=start + dt.timedelta(days=59))
    sixty_one = make_experiment(proposer, approver, planned_start=start, planned_end=start + dt.timedelta(days=60))
    assert blocking_problems(sixty) == []
    assert blocking_problems(sixty_one) == [
        problem("planned_end", "The planned duration is 61 days; the policy allows at most 60.")
    ]


@pytest.mark.parametrize("days_after_start", [0, -3])
def test_end_must_be_after_start(proposer, approver, days_after_start):
    start = timezone.localdate() + dt.timedelta(days=5)
    experiment = make_experiment(
        proposer, approver, planned_start=start, planned_end=start + dt.timedelta(days=days_after_start)
    )
    assert blocking_problems(experiment) == [problem("planned_end", "The planned end must be after the planned start.")]


def test_start_in_the_past(proposer, approver, time_machine):
    time_machine.move_to(dt.datetime(2030, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False)
    today = dt.date(2030, 3, 10)
    starts_today = make_experiment(proposer, approver, planned_start=today, planned_end=today + dt.timedelta(days=20))
    started_yesterday = make_experiment(
        proposer, approver, planned_start=today - dt.timedelta(days=1), planned_end=today + dt.timedelta(days=20)
    )
    assert blocking_problems(starts_today) == []
    assert blocking_problems(started_yesterday) == [
        problem("planned_start", "The planned start is in the past; choose today or later.")
    ]


def test_a_proposal_becomes_stale_as_days_pass(draft, time_machine):
    # Drafted with a start tomorrow; submitted a week later, the start has passed.
    time_machine.move_to(timezone.now() + dt.timedelta(days=7), tick=False)
    assert [p["field"] for p in blocking_problems(draft)] == ["planned_start"]


# --- approver ------------------------------------------------------------------------------


def test_no_approver(proposer):
    experiment = make_experiment(proposer, None)
    assert blocking_problems(experiment) == [problem("approver", "Name the approver who will decide on this proposal.")]


def test_approver_is_the_owner(proposer):
    experiment = make_experiment(proposer, proposer)
    assert blocking_problems(experiment) == [
        problem("approver", "The approver cannot be the owner or a co-author of the experiment.")
    ]


def test_approver_is_a_co_author(draft, co_author):
    draft.co_authors.add(co_author)
    draft.approver = co_author
    draft.save()
    assert blocking_problems(draft) == [
        problem("approver", "The approver cannot be the owner or a co-author of the experiment.")
    ]


def test_an_owner_holding_the_approver_role_still_cannot_approve_their_own(proposer):
    owner = make_user("both_roles", "proposer", "approver")
    experiment = make_experiment(owner, owner)
    assert [p["field"] for p in blocking_problems(experiment)] == ["approver"]


def test_approver_without_the_approver_role(proposer, outsider):
    experiment = make_experiment(proposer, outsider)
    assert blocking_problems(experiment) == [problem("approver", "nora_norole does not hold the approver role.")]


def test_a_superuser_may_approve_without_the_role(proposer, admin_user):
    assert blocking_problems(make_experiment(proposer, admin_user)) == []


def test_an_inactive_approver_could_never_decide(proposer, approver):
    approver.is_active = False
    approver.save()
    experiment = make_experiment(proposer, approver)
    assert blocking_problems(experiment) == [
        problem("approver", "alex_approver's account is deactivated; name an approver who can sign in.")
    ]


# --- variants ------------------------------------------------------------------------------


def test_no_control(draft):
    draft.variants.filter(is_control=True).delete()
    assert blocking_problems(draft) == [problem("variants", "Mark exactly one variant as the control.")]


def test_two_controls_and_no_treatment(draft):
    draft.variants.update(is_control=True)
    assert blocking_problems(draft) == [
        problem("variants", "Mark exactly one variant as the control."),
        problem("variants", "Add at least one treatment variant besides the control."),
    ]


def test_no_treatment(draft):
    draft.variants.filter(is_control=False).delete()
    assert blocking_problems(draft) == [problem("variants", "Add at least one treatment variant besides the control.")]


def test_several_problems_are_reported_together(proposer):
    experiment = make_experiment(proposer, None, exposure_cap_pct=80)
    experiment.metrics.filter(role="success").delete()
    assert [p["field"] for p in blocking_problems(experiment)] == ["metrics", "exposure_cap_pct", "approver"]


# --- overlap -------------------------------------------------------------------------------


@pytest.fixture
def mine(proposer, approver):
    return make_experiment(proposer, approver, key="mine", touchpoints=("chat",), segments=("new-customers",))


def other(proposer, approver, status=Status.RUNNING, **kw):
    kw.setdefault("touchpoints", ("chat",))
    kw.setdefault("segments", ("new-customers",))
    return make_experiment(proposer, approver, status=status, **kw)


def overlaps(experiment):
    return [e.key for e in overlapping_experiments(experiment)]


@pytest.mark.parametrize("status", [Status.APPROVED, Status.RUNNING])
def test_overlap_on_shared_touchpoint_segment_and_dates(mine, proposer, approver, status):
    other(proposer, approver, status=status, key="theirs")
    assert overlaps(mine) == ["theirs"]


@pytest.mark.parametrize(
    "status",
    [
        Status.DRAFT,
        Status.PENDING_APPROVAL,
        Status.CHANGES_REQUESTED,
        Status.STOPPED,
        Status.COMPLETED,
        Status.CONCLUDED,
        Status.ARCHIVED,
    ],
)
def test_experiments_not_holding_the_touchpoint_do_not_overlap(mine, proposer, approver, status):
    other(proposer, approver, status=status)
    assert overlaps(mine) == []


def test_no_overlap_on_another_touchpoint(mine, proposer, approver):
    other(proposer, approver, touchpoints=("web",))
    assert overlaps(mine) == []


def test_no_overlap_on_another_segment(mine, proposer, approver):
    other(proposer, approver, segments=("business",))
    assert overlaps(mine) == []


def test_no_overlap_on_disjoint_dates(mine, proposer, approver):
    after = mine.planned_end + dt.timedelta(days=1)
    before_end = mine.planned_start - dt.timedelta(days=1)
    other(proposer, approver, planned_start=after, planned_end=after + dt.timedelta(days=14))
    other(proposer, approver, planned_start=before_end - dt.timedelta(days=14), planned_end=before_end)
    assert overlaps(mine) == []


def test_sharing_one_day_is_an_overlap(mine, proposer, approver):
    other(
        proposer,
        approver,
        key="theirs",
        planned_start=mine.planned_end,
        planned_end=mine.planned_end + dt.timedelta(days=14),
    )
    assert overlaps(mine) == ["theirs"]


def test_an_experiment_for_all_customers_overlaps_every_segment(mine, proposer, approver):
    other(proposer, approver, key="everyone", segments=())
    assert overlaps(mine) == ["everyone"]


def test_my_experiment_for_all_customers_overlaps_any_segment(proposer, approver):
    everyone = make_experiment(proposer, approver, touchpoints=("chat",), segments=())
    other(proposer, approver, key="seniors-only", segments=("seniors",))
    assert overlaps(everyone) == ["seniors-only"]


def test_each_overlapping_experiment_is_listed_once_and_never_itself(proposer, approver):
    wide = {"touchpoints": ("chat", "phone"), "segments": ("new-customers", "business")}
    mine = other(proposer, approver, key="mine", status=Status.APPROVED, **wide)
    other(proposer, approver, key="theirs", **wide)
    assert overlaps(mine) == ["theirs"]


def test_no_touchpoint_no_overlap(mine, proposer, approver):
    other(proposer, approver)
    mine.touchpoints.clear()
    assert overlaps(mine) == []


def test_a_page_of_experiments_gets_each_one_s_overlaps_in_one_query(proposer, approver, django_assert_num_queries):
    """overlapping_pairs answers for many experiments what overlapping_experiments answers for each."""
    from experiments.policy import overlapping_pairs

    asked = [
        make_experiment(proposer, approver, touchpoints=("chat",), segments=("new-customers",)),
        make_experiment(proposer, approver, touchpoints=("chat", "phone"), segments=()),
        make_experiment(proposer, approver, touchpoints=("phone",), segments=("business",)),
        make_experiment(proposer, approver, touchpoints=("web",), segments=()),
    ]
    asked.append(other(proposer, approver, key="active-wide", touchpoints=("chat", "phone"), segments=()))
    other(proposer, approver, key="chat-new", segments=("new-customers",))
    other(proposer, approver, key="chat-seniors", segments=("seniors",))
    other(
        proposer, approver, key="phone-business", status=Status.APPROVED, touchpoints=("phone",), segments=("business",)
    )
    later = asked[0].planned_end + dt.timedelta(days=1)
    other(proposer, approver, key="chat-later", segments=(), planned_start=later, planned_end=later)
    other(proposer, approver, key="chat-stopped", status=Status.STOPPED, segments=())
    with django_assert_num_queries(1):
        pairs = list(overlapping_pairs(asked))
    by_pair = {}
    for other_pk, _start, for_pk in pairs:
        by_pair.setdefault(for_pk, []).append(other_pk)
    one_by_one = {e.pk: sorted(o.pk for o in overlapping_experiments(e)) for e in asked}
    assert {pk: sorted(found) for pk, found in by_pair.items()} == {pk: v for pk, v in one_by_one.items() if v}
    assert len(pairs) == len(set(pairs))  # two shared touchpoints: still one pair
    keys = {e.pk: sorted(o.key for o in overlapping_experiments(e)) for e in asked}
    assert keys[asked[0].pk] == ["active-wide", "chat-new"]
    assert keys[asked[1].pk] == ["active-wide", "chat-new", "chat-seniors", "phone-business"]
    assert keys[asked[2].pk] == ["active-wide", "phone-business"]
    assert keys[asked[3].pk] == []
    assert keys[asked[4].pk] == ["chat-new", "chat-seniors", "phone-business"]
