"""Propose and edit pages: validation next to the field, nothing half-written, submit from the form."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from experiments.models import Experiment, ExperimentEvent, ExperimentMetric, Metric, Status, Variant
from tests.experiments.web import field_block, form_data_of, https_client, proposal_data, text_of  # noqa: F401
from tests.factories import make_experiment, make_user

CREATE = reverse("experiment-create")


def nothing_written():
    return not (
        Experiment.objects.exists()
        or Variant.objects.exists()
        or ExperimentMetric.objects.exists()
        or ExperimentEvent.objects.exists()
    )


def test_propose_page_shows_the_form_sections(proposer):
    response = https_client(proposer).get(CREATE)
    assert response.status_code == 200
    page = text_of(response.content.decode())
    for heading in ("Basics", "Scope", "Metrics and variants", "Variants", "Plan and approver"):
        assert heading in page
    assert "Save draft" in page and "Save and submit for approval" in page
    # A suggested control and treatment and two metric rows to start with (a success metric and
    # a guardrail), plus the templates for new rows.
    variants = response.context["variants"]
    assert [(row["key"].value(), row["is_control"].value()) for row in variants] == [
        ("control", True),
        ("treatment", False),
    ]
    assert response.context["metrics"].total_form_count() == 2


def test_approver_choices_are_approvers_other_than_the_owner(proposer, approver, other_approver, outsider):
    approver_as_proposer = make_user("paula_both", "proposer", "approver")
    form = https_client(approver_as_proposer).get(CREATE).context["form"]
    assert set(form.fields["approver"].queryset) == {approver, other_approver}


@pytest.mark.parametrize("user_fixture", ["outsider", "approver"])
def test_propose_needs_the_proposer_role(request, user_fixture, approver):
    client = https_client(request.getfixturevalue(user_fixture))
    assert client.get(CREATE).status_code == 403
    response = client.post(CREATE, proposal_data(approver))
    assert response.status_code == 403
    assert "proposer role" in response.content.decode()
    assert nothing_written()


def test_propose_page_sends_anonymous_visitors_to_login(db):
    response = https_client().get(CREATE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_valid_proposal_creates_the_experiment_its_rows_and_one_event(proposer, approver):
    response = https_client(proposer).post(CREATE, proposal_data(approver, intent="save"))
    experiment = Experiment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == experiment.get_absolute_url()
    assert experiment.owner == proposer and experiment.status == Status.DRAFT
    assert experiment.approver == approver
    assert list(experiment.touchpoints.values_list("key", flat=True)) == ["chat"]
    assert sorted(experiment.variants.values_list("key", "is_control")) == [("control", True), ("short", False)]
    assert sorted(experiment.metrics.values_list("metric__key", "role")) == [
        ("complaint-rate", "guardrail"),
        ("escalation-rate", "guardrail"),
        ("fcr", "success"),
    ]
    events = list(experiment.events.all())
    assert [(e.action, e.to_status, e.actor) for e in events] == [("create", Status.DRAFT, proposer)]


BAD_INPUT = [
    pytest.param(
        {"planned_end": (timezone.localdate() - dt.timedelta(days=3)).isoformat()},
        "planned_end",
        "The planned end must be after the planned start.",
        id="end-before-start",
    ),
    pytest.param({"metrics-0-baseline_rate": "nan"}, "metrics-0-baseline_rate", "Enter a number.", id="nan-baseline"),
    pytest.param({"alpha": "NaN"}, "alpha", "Enter a number.", id="nan-alpha"),
    pytest.param(
        {"metrics-1-non_inferiority_margin": ""},
        "metrics-1-non_inferiority_margin",
        "A guardrail metric needs the non-inferiority margin",
        id="guardrail-without-margin",
    ),
    pytest.param(
        {"metrics-0-baseline_rate": "150"},
        "metrics-0-baseline_rate",
        "Must be a percentage strictly between 0 and 100.",
        id="baseline-rate-150",
    ),
    pytest.param({"key": "new"}, "key", "choose another key", id="reserved-key"),
]


@pytest.mark.parametrize("overrides, field, message", BAD_INPUT)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(proposer, approver, overrides, field, message):
    response = https_client(proposer).post(CREATE, proposal_data(approver, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in text_of(field_block(html, field))
    assert 'aria-invalid="true"' in field_block(html, field)
    # The summary at the top links to the field.
    summary = html[html.index('class="error-summary"') : html.index("</div>", html.index('class="error-summary"'))]
    assert f'href="#field-{field}"' in summary
    assert nothing_written()


def test_nan_shows_one_error_not_a_second_required_message(proposer, approver):
    data = proposal_data(approver, **{"metrics-0-minimum_detectable_effect": "nan"})
    html = https_client(proposer).post(CREATE, data).content.decode()
    block = text_of(field_block(html, "metrics-0-minimum_detectable_effect"))
    assert "Enter a number." in block
    assert "needs the minimum detectable effect" not in block


def test_two_controls_are_refused_in_the_variants_section(proposer, approver):
    response = https_client(proposer).post(CREATE, proposal_data(approver, **{"variants-1-is_control": "on"}))
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('id="section-variants"') : html.index("</details>", html.index('id="section-variants"'))]
    assert "Mark exactly one variant as the control." in text_of(section)
    assert "Add at least one treatment variant besides the control." in text_of(section)
    assert nothing_written()


def test_a_single_variant_is_refused(proposer, approver):
    data = proposal_data(approver, **{"variants-TOTAL_FORMS": "1"})
    response = https_client(proposer).post(CREATE, data)
    assert response.status_code == 200
    assert "Add a control and at least one treatment variant." in response.content.decode()
    assert nothing_written()


def test_the_same_metric_twice_is_refused(proposer, approver):
    data = proposal_data(approver, **{"metrics-2-metric": str(Metric.objects.get(key="complaint-rate").pk)})
    response = https_client(proposer).post(CREATE, data)
    assert response.status_code == 200
    assert "Each metric can appear only once; remove the repeated row." in response.content.decode()
    assert nothing_written()


def test_a_co_author_cannot_be_the_approver(proposer, approver):
    data = proposal_data(approver, co_authors=[approver.pk])
    html = https_client(proposer).post(CREATE, data).content.decode()
    assert "The approver cannot also be a co-author" in text_of(field_block(html, "approver"))
    assert nothing_written()


def test_save_and_submit_sends_it_for_approval(proposer, approver):
    response = https_client(proposer).post(CREATE, proposal_data(approver, intent="submit"), follow=True)
    experiment = Experiment.objects.get()
    assert experiment.status == Status.PENDING_APPROVAL
    assert [e.action for e in experiment.events.all()] == ["create", "submit"]
    assert "Submitted for approval" in response.content.decode()
    assert response.redirect_chain[-1][0] == experiment.get_absolute_url()


def test_submit_refused_by_policy_keeps_the_draft_and_shows_the_problems(proposer, approver):
    data = proposal_data(
        approver,
        intent="submit",
        exposure_cap_pct="80",
        **{"metrics-TOTAL_FORMS": "2"},  # the mandatory escalation-rate guardrail is missing
    )
    response = https_client(proposer).post(CREATE, data, follow=True)
    experiment = Experiment.objects.get()
    assert experiment.status == Status.DRAFT
    assert experiment.metrics.count() == 2
    assert [e.action for e in experiment.events.all()] == ["create"]
    assert response.redirect_chain[-1][0] == reverse("experiment-edit", kwargs={"key": experiment.key})
    html = response.content.decode()
    assert "Your draft is saved but was not submitted." in html
    metrics_section = html[html.index('id="section-metrics"') : html.index('id="section-plan"')]
    assert "Escalation rate is a mandatory guardrail for the Chat touchpoint" in text_of(metrics_section)
    assert "above the policy maximum of 50%" in text_of(field_block(html, "exposure_cap_pct"))


def test_owner_edits_a_draft_rows_included(proposer, approver, draft):
    url = reverse("experiment-edit", kwargs={"key": draft.key})
    client = https_client(proposer)
    page = client.get(url)
    assert page.status_code == 200
    variants = list(draft.variants.order_by("-is_control", "pk"))
    metrics = list(draft.metrics.order_by("role", "pk"))
    complaint = next(m for m in metrics if m.metric.key == "complaint-rate")
    data = proposal_data(
        approver,
        key="renamed-key",  # a draft's key may still change: it is fixed at the first submit
        title="Even shorter chat greeting",
        **{
            "variants-INITIAL_FORMS": "2",
            "variants-0-id": str(variants[0].pk),
            "variants-1-id": str(variants[1].pk),
            "variants-1-weight": "30",
            "metrics-TOTAL_FORMS": "4",
            "metrics-INITIAL_FORMS": "3",
            **{f"metrics-{i}-id": str(m.pk) for i, m in enumerate(metrics)},
            **_metric_row_data(metrics),
            f"metrics-{metrics.index(complaint)}-DELETE": "on",
            "metrics-3-metric": str(Metric.objects.get(key="csat").pk),
            "metrics-3-role": "guardrail",
            "metrics-3-effect_unit": "absolute",
            "metrics-3-non_inferiority_margin": "0.1",
            "metrics-3-baseline_mean": "4.1",
            "metrics-3-baseline_sd": "0.9",
            "intent": "save",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["error_summary"]
    draft.refresh_from_db()
    assert draft.key == "renamed-key" and draft.title == "Even shorter chat greeting"
    assert draft.variants.get(key="short").weight == 30
    assert sorted(draft.metrics.values_list("metric__key", flat=True)) == ["csat", "escalation-rate", "fcr"]
    assert [e.action for e in draft.events.all()] == ["create"]


def _metric_row_data(metrics):
    data = {}
    for i, row in enumerate(metrics):
        data.update(
            {
                f"metrics-{i}-metric": str(row.metric_id),
                f"metrics-{i}-role": row.role,
                f"metrics-{i}-effect_unit": row.effect_unit,
                f"metrics-{i}-minimum_detectable_effect": ""
                if row.minimum_detectable_effect is None
                else str(row.minimum_detectable_effect),
                f"metrics-{i}-non_inferiority_margin": ""
                if row.non_inferiority_margin is None
                else str(row.non_inferiority_margin),
                f"metrics-{i}-baseline_rate": str(row.baseline_rate),
            }
        )
    return data


def test_co_author_may_edit(co_author, proposer, approver):
    experiment = make_experiment(proposer, approver)
    experiment.co_authors.add(co_author)
    assert https_client(co_author).get(reverse("experiment-edit", kwargs={"key": experiment.key})).status_code == 200


def test_edit_page_lists_what_blocks_submission(proposer, approver):
    experiment = make_experiment(proposer, approver, exposure_cap_pct=70)
    html = https_client(proposer).get(reverse("experiment-edit", kwargs={"key": experiment.key})).content.decode()
    assert "Before you can submit" in html
    assert "above the policy maximum" in text_of(field_block(html, "exposure_cap_pct"))


def test_a_draft_of_someone_else_is_not_found(proposer, approver, co_author):
    experiment = make_experiment(proposer, approver)
    assert https_client(co_author).get(reverse("experiment-edit", kwargs={"key": experiment.key})).status_code == 404


def test_a_non_author_cannot_edit_a_visible_proposal(proposer, approver, co_author):
    experiment = make_experiment(proposer, approver, status=Status.CHANGES_REQUESTED)
    url = reverse("experiment-edit", kwargs={"key": experiment.key})
    response = https_client(co_author).post(url, proposal_data(approver, title="Hijacked"))
    assert response.status_code == 403
    assert "Only the owner and co-authors may edit" in response.content.decode()
    experiment.refresh_from_db()
    assert experiment.title != "Hijacked"


def submitted_with_one_approval(proposer, approver, standards_keeper):
    """Pending, needing the approver and a standards keeper (it uses AI); the keeper has approved."""
    from approvals.services import decide
    from experiments.lifecycle import transition
    from experiments.models import SensitiveCategory

    experiment = make_experiment(proposer, approver)
    experiment.sensitive_categories.add(SensitiveCategory.objects.get(key="personal-data"))
    transition(experiment, "submit", proposer)
    decide(experiment, standards_keeper, "approve")
    return experiment


@pytest.mark.approvals
def test_editing_a_submitted_proposal_withdraws_the_approvals_given(proposer, approver, standards_keeper):
    experiment = submitted_with_one_approval(proposer, approver, standards_keeper)
    first = experiment.approval_requests.get()
    url = reverse("experiment-edit", kwargs={"key": experiment.key})
    client = https_client(proposer)

    page = client.get(url).content.decode()
    assert "This proposal is waiting for approval" in page
    assert "the approval given so far (1) is withdrawn" in page
    assert "Save and ask the approvers again" in page and "Save draft" not in page

    response = client.post(url, form_data_of(experiment, title="Changed after submit"), follow=True)
    assert "The approvals given so far are withdrawn" in response.content.decode()
    experiment.refresh_from_db()
    assert (experiment.title, experiment.status) == ("Changed after submit", Status.PENDING_APPROVAL)
    first.refresh_from_db()
    assert first.status == "superseded"
    second = experiment.approval_requests.get(status="open")
    assert second.snapshot.data["title"] == "Changed after submit"
    assert not second.decisions.exists()
    assert experiment.events.last().action == "resubmit"


def test_an_edit_that_changes_no_part_of_the_contract_keeps_the_approvals(proposer, approver, standards_keeper):
    experiment = submitted_with_one_approval(proposer, approver, standards_keeper)
    url = reverse("experiment-edit", kwargs={"key": experiment.key})
    response = https_client(proposer).post(url, form_data_of(experiment, team="Care lab"), follow=True)
    assert response.status_code == 200
    request = experiment.approval_requests.get()
    assert request.status == "open" and request.decisions.count() == 1
    experiment.refresh_from_db()
    assert experiment.team == "Care lab"


@pytest.mark.approvals
def test_editing_an_approved_proposal_withdraws_the_approval_and_shows_the_diff(proposer, approver):
    """Approved, not started: an edit sends it back to pending; the approver decides on the diff."""
    from approvals.models import ApprovalRequest
    from experiments.lifecycle import transition

    experiment = make_experiment(proposer, approver)
    transition(experiment, "submit", proposer)
    transition(experiment, "approve", approver)
    url = reverse("experiment-edit", kwargs={"key": experiment.key})
    client = https_client(proposer)
    page = client.get(url)
    assert page.status_code == 200 and "This proposal is approved and has not started" in page.content.decode()
    response = client.post(url, form_data_of(experiment, title="Changed after approval"), follow=True)
    assert "The approvals given so far are withdrawn" in response.content.decode()
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL and experiment.title == "Changed after approval"
    request = ApprovalRequest.objects.get(experiment=experiment, status=ApprovalRequest.State.OPEN)
    assert request.base_snapshot is not None  # the approved contract, to diff against
    approver_page = https_client(approver).get(experiment.get_absolute_url()).content.decode()
    assert "Changed after approval" in approver_page and "Shorter chat greeting" in approver_page
    assert ExperimentEvent.objects.filter(experiment=experiment, action="reopen", actor=proposer).exists()


def test_saving_an_approved_proposal_unchanged_keeps_the_approval(proposer, approver):
    from experiments.lifecycle import transition

    experiment = make_experiment(proposer, approver)
    transition(experiment, "submit", proposer)
    transition(experiment, "approve", approver)
    url = reverse("experiment-edit", kwargs={"key": experiment.key})
    https_client(proposer).post(url, form_data_of(experiment))
    experiment.refresh_from_db()
    assert experiment.status == Status.APPROVED


def test_a_decision_made_while_the_form_was_open_wins(proposer, approver):
    """The approver approves between the owner loading the form and saving it: nothing is saved."""
    from experiments.lifecycle import transition

    experiment = make_experiment(proposer, approver)
    transition(experiment, "submit", proposer)
    url = reverse("experiment-edit", kwargs={"key": experiment.key})
    client = https_client(proposer)
    assert client.get(url).status_code == 200
    from unittest import mock

    from experiments import access

    # The page's own lookup still sees it pending; the approval lands just before the save locks the row.
    real_lookup = access.get_experiment_for

    def lookup_then_approval(user, key, *, edit=False):
        found = real_lookup(user, key, edit=edit)
        if edit:
            transition(Experiment.objects.get(pk=found.pk), "reject", approver, reason="Overlaps the billing work.")
        return found

    with mock.patch.object(access, "get_experiment_for", side_effect=lookup_then_approval):
        response = client.post(url, form_data_of(experiment, title="Too late"), follow=True)
    assert "can no longer be edited" in response.content.decode()
    experiment.refresh_from_db()
    assert experiment.status == Status.REJECTED and experiment.title != "Too late"


def test_csrf_is_enforced_on_the_form(proposer, approver):
    client = https_client(proposer, enforce_csrf_checks=True)
    response = client.post(CREATE, proposal_data(approver))
    assert response.status_code == 403
    assert nothing_written()
    # With the token from the page the same post goes through.
    client.get(CREATE)
    token = client.cookies["csrftoken"].value
    response = client.post(
        CREATE, proposal_data(approver, csrfmiddlewaretoken=token), HTTP_REFERER="https://testserver/"
    )
    assert response.status_code == 302
    assert Experiment.objects.count() == 1
