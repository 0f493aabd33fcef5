"""The relevance rule, re-test declarations and templates in the API."""

import pytest

from cadence.standards.models import Citation
from experiments.models import Experiment
from tests.approvals.web import api_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db
RELEVANT = "/api/standards/relevant/"


def test_relevant_standards_by_touchpoint_and_metric(chat_standard, outsider):
    client = api_client(outsider)
    [item] = client.get(RELEVANT, {"touchpoint": "chat", "segment": "new-customers", "success_metric": "fcr"}).json()
    assert item["code"] == chat_standard.code and item["url"] == chat_standard.get_absolute_url()
    assert item["on_scope"] and item["retest_detected"] and item["touchpoints"] == ["Chat"]
    [by_metric] = client.get(RELEVANT, {"touchpoint": "phone", "metric": "fcr"}).json()
    assert by_metric["metrics"] == ["First-contact resolution"] and not by_metric["on_scope"]
    assert client.get(RELEVANT, {"touchpoint": "phone"}).json() == []


def test_a_key_that_is_no_slug_is_refused_naming_the_parameter(chat_standard, outsider):
    refused = api_client(outsider).get(RELEVANT, {"touchpoint": "no such key!"})
    assert refused.status_code == 400 and refused.json()["problems"][0]["field"].startswith("touchpoint")


def test_signed_out_gets_nothing(chat_standard):
    assert api_client().get(RELEVANT, {"touchpoint": "chat"}).status_code in (401, 403)


def test_an_experiments_standards_follow_who_may_see_it(chat_standard, proposer, approver, outsider):
    draft = make_experiment(proposer, approver)
    url = f"/api/experiments/{draft.key}/standards/"
    assert api_client(outsider).get(url).status_code == 404  # a draft is its authors'
    [item] = api_client(proposer).get(url).json()
    assert item["id"] == chat_standard.pk and item["on_scope"]


def test_authors_declare_retests_others_may_not(chat_standard, proposer, approver, outsider):
    draft = make_experiment(proposer, approver, touchpoints=("phone",))
    url = f"/api/experiments/{draft.key}/standards/retests/"
    assert api_client(outsider).put(url, {"standards": [chat_standard.pk]}, format="json").status_code == 404
    [item] = api_client(proposer).put(url, {"standards": [chat_standard.pk]}, format="json").json()
    assert item["retest_declared"]
    refused = api_client(proposer).put(url, {"standards": [chat_standard.pk + 50]}, format="json")
    assert refused.status_code == 400 and refused.json()["problems"] == [
        {"field": "standards", "message": f"No standard in force has the id {chat_standard.pk + 50}."}
    ]
    assert Citation.objects.filter(experiment=draft, kind="retests").count() == 1  # the refusal changed nothing


def test_start_a_proposal_from_a_standard(chat_standard, proposer, approver):
    made = api_client(approver).post("/api/proposals/from-template/", {"standard": chat_standard.pk}, format="json")
    assert made.status_code == 403  # approvers do not propose
    made = api_client(proposer).post("/api/proposals/from-template/", {"standard": chat_standard.pk}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    draft = Experiment.objects.get(key=body["key"])
    source = chat_standard.supporting_experiments.get()
    assert body["based_on_standard"] == chat_standard.pk and draft.owner == proposer and draft.status == "draft"
    assert {t.key for t in draft.touchpoints.all()} == {"chat"}
    assert {s.key for s in draft.segments.all()} == {"new-customers"}
    copied = {
        (r.metric.key, r.role, r.minimum_detectable_effect, r.non_inferiority_margin) for r in draft.metrics.all()
    }
    original = {
        (r.metric.key, r.role, r.minimum_detectable_effect, r.non_inferiority_margin) for r in source.metrics.all()
    }
    assert copied == original
    assert Citation.objects.filter(experiment=draft, standard=chat_standard, kind="based_on").exists()


def test_start_a_proposal_from_a_past_experiment(proposer, approver, other_approver):
    from tests.factories import make_user

    past = make_experiment(proposer, approver, status="concluded", outcome="won", segments=("business",))
    colleague = make_user("pia_proposer", "proposer")
    made = api_client(colleague).post("/api/proposals/from-template/", {"experiment": past.key}, format="json")
    assert made.status_code == 201, made.json()
    draft = Experiment.objects.get(key=made.json()["key"])
    assert made.json()["based_on_experiment"] == past.key and draft.based_on == past
    assert draft.owner == colleague and draft.approver == approver
    assert {s.key for s in draft.segments.all()} == {"business"}
    assert draft.metrics.count() == past.metrics.count()


def test_a_template_names_one_source(proposer):
    both = api_client(proposer).post("/api/proposals/from-template/", {"standard": 1, "experiment": "x"}, format="json")
    neither = api_client(proposer).post("/api/proposals/from-template/", {}, format="json")
    assert both.status_code == neither.status_code == 400
    assert both.json()["problems"][0]["field"] == "standard"


def test_an_unseen_draft_is_no_template(proposer, approver):
    from tests.factories import make_user

    draft = make_experiment(proposer, approver)
    colleague = make_user("pia_proposer", "proposer")
    assert (
        api_client(colleague)
        .post("/api/proposals/from-template/", {"experiment": draft.key}, format="json")
        .status_code
        == 404
    )


def test_the_standard_in_the_api_lists_the_experiments_citing_it_that_you_may_see(
    chat_standard, proposer, approver, outsider
):
    from cadence.standards.citations import declare_retests
    from experiments.lifecycle import transition

    draft = make_experiment(proposer, approver)
    declare_retests(draft, [chat_standard.pk], proposer)
    url = f"/api/standards/{chat_standard.pk}/"
    assert api_client(outsider).get(url).json()["citing_experiments"] == []  # a draft is its authors'
    [cited] = api_client(proposer).get(url).json()["citing_experiments"]
    assert (cited["experiment"], cited["kind"]) == (draft.key, "retests")
    transition(draft, "submit", proposer)
    assert len(api_client(outsider).get(url).json()["citing_experiments"]) == 1
