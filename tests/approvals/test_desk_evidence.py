"""The approver's evidence for a page of requests is gathered at once, and it is exactly what each
request's own evidence (the detail page's, the API's) says: one rule, asked in bulk."""

import pytest

from approvals.views.inbox import PAGE_SIZE
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.views.evidence import evidence_for, evidence_for_page
from approvals.views.waiting import waiting_for
from tests.approvals.desk_world import REQUESTED, busy_page
from tests.experiments.web import https_client

pytestmark = pytest.mark.django_db


def _comparable(item):
    plan = item.plan
    return {
        "request": item.request.pk,
        "waiting_on": item.waiting_on,
        "diff": item.diff,
        "plan": None if plan is None else (plan.total_units, plan.days_needed, plan.planned_days, plan.fits),
        "plan_error": item.plan_error,
        "plan_verdict": item.plan_verdict,
        "needs_acknowledgement": item.needs_acknowledgement,
        "overlapping": [e.pk for e in item.overlapping],
        "more_overlapping": item.more_overlapping,
        "sections": [
            (
                s["template"],
                [(r.standard.pk, r.on_scope, r.retests, tuple(r.touchpoints)) for r in s.get("items", [])],
                [b.pk for b in s.get("based_on", [])],
                getattr(s.get("review"), "pk", None),
            )
            for s in item.proposal_sections
        ],
        "last_decision": getattr(item.last_decision, "pk", None),
        "my_last_request": getattr(item.my_last_request, "pk", None),
    }


def test_the_page_evidence_equals_each_requests_own(proposer, approver, standards_keeper, monkeypatch):
    from approvals.views import evidence

    monkeypatch.setattr(evidence, "OVERLAPS_SHOWN", 2)
    busy_page(proposer, approver, standards_keeper, 5)
    requests = list(waiting_for(approver))
    assert len(requests) == 5
    batched = [_comparable(item) for item in evidence_for_page(requests, viewer=approver)]
    one_by_one = [_comparable(evidence_for(r, viewer=approver)) for r in waiting_for(approver)]
    assert batched == one_by_one
    # The page carries every kind of evidence, so the comparison means something.
    assert all(item["overlapping"] and item["more_overlapping"] for item in batched)
    assert all(any(section[1] for section in item["sections"]) for item in batched)  # a standard on each
    assert any(len(item["sections"]) == 2 for item in batched)  # a bias review section
    assert sum(item["needs_acknowledgement"] for item in batched) == 1
    [resubmission] = [item for item in batched if item["last_decision"]]
    assert resubmission["my_last_request"] == resubmission["last_decision"]
    assert [row["field"] for row in resubmission["diff"]] == ["title"]


def _inbox_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/approvals/")
    assert response.status_code == 200
    return len(queries)


def test_the_inbox_makes_the_same_few_queries_for_a_page_of_3_or_of_12(
    proposer, approver, standards_keeper, django_assert_max_num_queries
):
    client = https_client(approver)
    busy_page(proposer, approver, standards_keeper, 3)
    few = _inbox_queries(client)
    busy_page(proposer, approver, standards_keeper, 9)
    many = _inbox_queries(client)
    assert many == few
    # Evidence for the page: earlier decisions, overlaps (2), standards (citations, supports,
    # candidates and their touchpoints, segments and proofs), bias reviews: a fixed handful.
    with django_assert_max_num_queries(40):
        page = client.get("/approvals/").content.decode()
    assert REQUESTED in page and page.count('class="card request-card"') == min(12, PAGE_SIZE)
