"""Create, read, update and list experiments through /api/experiments/."""

import pytest
from experiments.models import Experiment, Status
from tests.factories import make_experiment, refusal_fields

LIST = "/api/experiments/"


def detail(key):
    return f"/api/experiments/{key}/"


def test_create_full_proposal_then_read_it_back(api_as, proposer, approver, co_author, payload):
    client = api_as(proposer)
    response = client.post(LIST, payload(co_authors=["colin_coauthor"]), format="json")
    assert response.status_code == 201, response.json()

    body = client.get(detail("chat-greeting")).json()
    assert body["owner"] == "priya_proposer"
    assert body["co_authors"] == ["colin_coauthor"]
    assert body["approver"] == "alex_approver"
    assert body["status"] == "draft"
    assert body["outcome"] == ""
    assert body["touchpoints"] == ["chat"]
    assert body["segments"] == ["new-customers"]
    assert body["sensitive_categories"] == ["personal-data"]
    assert body["exposure_cap_pct"] == 20
    assert body["hypothesis_sentence"].startswith("If we shorten the chat greeting to one sentence for customers")
    assert [(v["key"], v["is_control"], v["weight"]) for v in body["variants"]] == [
        ("control", True, 50),
        ("short", False, 50),
    ]
    rows = {m["metric"]: m for m in body["metrics"]}
    assert rows["fcr"]["role"] == "success" and rows["fcr"]["minimum_detectable_effect"] == 2
    assert rows["complaint-rate"]["non_inferiority_margin"] == 0.5
    assert {a["action"] for a in body["allowed_actions"]} == {"submit", "withdraw"}

    experiment = Experiment.objects.get(key="chat-greeting")
    events = list(experiment.events.all())
    assert [(e.action, e.to_status, e.actor) for e in events] == [("create", Status.DRAFT, proposer)]


def test_create_ignores_status_and_owner_in_payload(api_as, proposer, approver, payload):
    response = api_as(proposer).post(LIST, payload(status="running", owner="alex_approver"), format="json")
    assert response.status_code == 201
    experiment = Experiment.objects.get(key="chat-greeting")
    assert experiment.status == Status.DRAFT
    assert experiment.owner == proposer


def test_create_needs_the_proposer_role(api_as, approver, outsider, payload):
    for user in (approver, outsider):
        response = api_as(user).post(LIST, payload(approver=None), format="json")
        assert response.status_code == 403
        assert "proposer role" in response.json()["detail"]
    assert not Experiment.objects.exists()


def test_key_must_be_unique(api_as, proposer, approver, payload):
    make_experiment(proposer, approver, key="chat-greeting")
    response = api_as(proposer).post(LIST, payload(), format="json")
    assert response.status_code == 400
    assert "key" in refusal_fields(response)


def test_delete_is_not_allowed(api_as, draft, proposer):
    response = api_as(proposer).delete(detail(draft.key))
    assert response.status_code == 405
    assert Experiment.objects.filter(pk=draft.pk).exists()


def test_patch_changes_only_the_fields_sent(api_as, draft, proposer):
    response = api_as(proposer).patch(detail(draft.key), {"title": "Greeting in one line"}, format="json")
    assert response.status_code == 200, response.json()
    draft.refresh_from_db()
    assert draft.title == "Greeting in one line"
    assert draft.variants.count() == 2 and draft.metrics.count() == 3


def test_nested_lists_replace_existing_rows(api_as, draft, proposer):
    variants = [
        {"key": "control", "name": "Now", "is_control": True, "weight": 2},
        {"key": "short", "name": "Short", "weight": 1},
        {"key": "emoji", "name": "Short with emoji", "weight": 1},
    ]
    metrics = [
        {
            "metric": "conversion",
            "role": "success",
            "effect_unit": "relative",
            "minimum_detectable_effect": 5,
            "baseline_rate": 3.2,
        }
    ]
    response = api_as(proposer).patch(detail(draft.key), {"variants": variants, "metrics": metrics}, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(draft.variants.values_list("key", "weight")) == [("control", 2), ("emoji", 1), ("short", 1)]
    assert list(draft.metrics.values_list("metric__key", "role")) == [("conversion", "success")]
    assert [m["metric"] for m in response.json()["metrics"]] == ["conversion"]


def test_put_replaces_the_whole_proposal(api_as, proposer, approver, payload):
    experiment = make_experiment(proposer, approver, key="chat-greeting")
    response = api_as(proposer).put(detail("chat-greeting"), payload(title="Rewritten", segments=[]), format="json")
    assert response.status_code == 200, response.json()
    experiment.refresh_from_db()
    assert experiment.title == "Rewritten"
    assert experiment.segments.count() == 0


def test_co_author_may_edit(api_as, draft, co_author):
    draft.co_authors.add(co_author)
    response = api_as(co_author).patch(detail(draft.key), {"team": "Care lab"}, format="json")
    assert response.status_code == 200


def test_others_who_can_see_it_may_not_edit(api_as, proposer, approver, other_approver):
    experiment = make_experiment(proposer, approver, status=Status.CHANGES_REQUESTED)
    for user in (approver, other_approver):
        response = api_as(user).patch(detail(experiment.key), {"title": "Mine now"}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == "Only the owner and co-authors may edit this experiment."
    experiment.refresh_from_db()
    assert experiment.title != "Mine now"


@pytest.mark.approvals
def test_editing_a_submitted_proposal_asks_the_approvers_again(api_as, proposer, approver):
    from approvals.models import ApprovalRequest
    from experiments.lifecycle import transition

    experiment = make_experiment(proposer, approver)
    transition(experiment, "submit", proposer)
    response = api_as(proposer).patch(detail(experiment.key), {"title": "Sharper"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "pending_approval"
    requests = ApprovalRequest.objects.filter(experiment=experiment).order_by("pk")
    assert [r.status for r in requests] == ["superseded", "open"]
    assert requests.last().snapshot.data["title"] == "Sharper"


@pytest.mark.approvals
def test_editing_an_approved_experiment_sends_it_back_for_approval(api_as, proposer, approver):
    from approvals.models import ApprovalRequest
    from experiments.lifecycle import transition

    experiment = make_experiment(proposer, approver)
    transition(experiment, "submit", proposer)
    transition(experiment, "approve", approver)
    response = api_as(proposer).patch(detail(experiment.key), {"title": "Reworded"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == Status.PENDING_APPROVAL
    request = ApprovalRequest.objects.get(experiment=experiment, status=ApprovalRequest.State.OPEN)
    assert request.base_snapshot is not None


def test_a_running_experiment_is_not_edited_but_amended(api_as, proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    response = api_as(proposer).patch(detail(experiment.key), {"title": "Sneaky"}, format="json")
    assert response.status_code == 403
    assert "through an amendment" in response.json()["detail"]
    experiment.refresh_from_db()
    assert experiment.title != "Sneaky"


def test_owner_may_edit_after_changes_requested(api_as, proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.CHANGES_REQUESTED)
    response = api_as(proposer).patch(detail(experiment.key), {"title": "Better"}, format="json")
    assert response.status_code == 200
    experiment.refresh_from_db()
    assert experiment.status == Status.CHANGES_REQUESTED  # an edit never moves the status


def test_a_drafts_key_may_change_until_it_is_submitted(api_as, draft, proposer, approver):
    """The form's rule (experiments.lifecycle.key_is_free): a draft may be renamed, a submitted
    proposal keeps its key."""
    response = api_as(proposer).patch(detail(draft.key), {"key": "renamed"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["key"] == "renamed"
    draft.refresh_from_db()
    assert draft.key == "renamed"

    submitted = make_experiment(proposer, approver, key="was-submitted", status=Status.CHANGES_REQUESTED)
    response = api_as(proposer).patch(detail(submitted.key), {"key": "renamed-again"}, format="json")
    assert response.status_code == 400
    assert "key" in refusal_fields(response)
    submitted.refresh_from_db()
    assert submitted.key == "was-submitted"


def test_drafts_are_private_to_their_authors(api_as, draft, approver, other_approver, admin_user):
    assert api_as(other_approver).get(detail(draft.key)).status_code == 404
    assert draft.key not in [e["key"] for e in api_as(other_approver).get(LIST).json()["results"]]
    # The named approver sees it only once it is submitted.
    assert api_as(approver).get(detail(draft.key)).status_code == 404
    assert api_as(admin_user).get(detail(draft.key)).status_code == 200


def test_events_timeline(api_as, draft, proposer):
    # The factory wrote the "create" event.
    body = api_as(proposer).get(f"{detail(draft.key)}events/").json()
    assert body == [
        {
            "action": "create",
            "from_status": "",
            "to_status": "draft",
            "outcome": "",
            "actor": "priya_proposer",
            "reason": "",
            "created_at": body[0]["created_at"],
        }
    ]


def test_plan_for_an_experiment(api_as, draft, proposer):
    body = api_as(proposer).get(f"{detail(draft.key)}plan/").json()
    assert set(body["units_per_arm"]) == {"control", "short"}
    assert body["planned_days"] == 28
    assert body["deciding_metric"] in {"First-contact resolution", "Complaint rate", "Escalation rate"}
    assert len(body["metrics"]) == 3


def test_plan_reports_unplannable_experiment(api_as, draft, proposer):
    draft.metrics.all().delete()
    response = api_as(proposer).get(f"{detail(draft.key)}plan/")
    assert response.status_code == 400
    assert "metric" in response.json()["detail"]


def test_policy_report(api_as, proposer, approver, other_approver):
    running = make_experiment(other_approver, approver, status=Status.RUNNING, title="Chat bot intro")
    experiment = make_experiment(proposer, approver, exposure_cap_pct=80)
    body = api_as(proposer).get(f"{detail(experiment.key)}policy/").json()
    assert [p["field"] for p in body["problems"]] == ["exposure_cap_pct"]
    assert [(o["key"], o["title"]) for o in body["overlapping"]] == [(running.key, "Chat bot intro")]


class TestListing:
    def test_filters(self, api_as, proposer, co_author, approver):
        make_experiment(proposer, approver, key="chat-one", status=Status.RUNNING)
        make_experiment(proposer, approver, key="billing-one", touchpoints=("billing",), status=Status.PENDING_APPROVAL)
        make_experiment(
            co_author, approver, key="phone-one", touchpoints=("phone",), status=Status.RUNNING, title="Callback offer"
        )
        client = api_as(proposer)

        def keys(query):
            response = client.get(LIST + query)
            assert response.status_code == 200, response.json()
            return sorted(e["key"] for e in response.json()["results"])

        assert keys("?status=running") == ["chat-one", "phone-one"]
        assert keys("?touchpoint=billing") == ["billing-one"]
        assert keys("?owner=colin_coauthor") == ["phone-one"]
        assert keys("?q=callback") == ["phone-one"]
        assert keys("?status=running&owner=priya_proposer") == ["chat-one"]

    def test_bad_filter_value_is_a_field_error(self, api_as, proposer):
        response = api_as(proposer).get(LIST + "?status=flying")
        assert response.status_code == 400
        assert "status" in refusal_fields(response)

    def test_page_size_is_capped_at_100(self, api_as, proposer, approver):
        Experiment.objects.bulk_create(
            Experiment(
                key=f"bulk-{n}",
                title="t",
                hypothesis_change="c",
                hypothesis_audience="a",
                hypothesis_effect="e",
                hypothesis_rationale="r",
                owner=proposer,
                exposure_cap_pct=10,
                planned_start="2030-01-01",
                planned_end="2030-01-20",
                status=Status.RUNNING,
            )
            for n in range(105)
        )
        body = api_as(proposer).get(LIST + "?page_size=1000").json()
        assert body["count"] == 105
        assert len(body["results"]) == 100
        assert body["next"]
