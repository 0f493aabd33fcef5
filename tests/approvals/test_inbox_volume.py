"""The inbox at volume: one page of requests at a time, the nearest overlaps on each card, and a
number of queries that does not grow with the requests waiting (web page and API)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.views import evidence, inbox
from experiments.lifecycle import transition
from experiments.models import Status
from tests.approvals.web import api_client, evidence_url
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db
INBOX = reverse("approvals-inbox")
PAGE_SIZE = 3  # small pages, so a few requests fill several


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    from experiments.api.pagination import CappedPagination

    monkeypatch.setattr(inbox, "PAGE_SIZE", PAGE_SIZE)
    monkeypatch.setattr(CappedPagination, "page_size", PAGE_SIZE)
    monkeypatch.setattr(evidence, "OVERLAPS_SHOWN", 2)


def _submit_many(owner, approver, count):
    for _ in range(count):
        transition(make_experiment(owner, approver), "submit", owner)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_inbox_pages_its_requests_and_its_queries_do_not_grow(proposer, approver):
    client = https_client(approver)
    _submit_many(proposer, approver, PAGE_SIZE + 1)
    response = client.get(INBOX)
    assert len(response.context["items"]) == PAGE_SIZE
    assert f"{PAGE_SIZE + 1} requests need your decision" in response.content.decode()
    assert len(client.get(INBOX, {"page": 2}).context["items"]) == 1
    full_page = _queries(client, INBOX)

    _submit_many(proposer, approver, 2 * PAGE_SIZE)
    assert _queries(client, INBOX) <= full_page
    assert response.context["page"].paginator.count == PAGE_SIZE + 1


def test_a_card_lists_the_nearest_overlaps_and_links_to_all(proposer, approver, pending):
    for _ in range(3):
        make_experiment(proposer, approver, status=Status.APPROVED)
    response = https_client(approver).get(INBOX)
    [item] = response.context["items"]
    assert len(item.overlapping) == 2 and item.more_overlapping
    assert "2 overlapping experiments and more" in text_of(response.content.decode())
    # The list itself, with its link to all of them, is in the evidence in full the card opens.
    evidence = https_client(approver).get(evidence_url(item.request, part=True)).content.decode()
    overlaps = evidence[evidence.index(f'id="overlaps-{item.request.pk}"') :].split("</section>")[0]
    assert overlaps.count("<li>") == 2
    assert "all of them on the experiment's page" in evidence


def test_the_api_inbox_is_paginated_and_its_queries_do_not_grow(proposer, approver):
    client = api_client(approver)
    _submit_many(proposer, approver, PAGE_SIZE + 1)
    body = client.get("/api/approvals/inbox/").json()
    assert (body["count"], len(body["results"])) == (PAGE_SIZE + 1, PAGE_SIZE) and body["next"]
    full_page = _queries(client, "/api/approvals/inbox/")
    _submit_many(proposer, approver, 2 * PAGE_SIZE)
    assert _queries(client, "/api/approvals/inbox/") <= full_page


# Every kind of evidence on every card (overlaps, a standard in force, bias reviews, a resubmission,
# an infeasible plan): the web page and the API answer in a fixed handful of queries, the same for
# a page of 3 as for a page of 12 (measured: 34 and 26; the bound leaves room for the nav only).
WEB_MOST, API_MOST = 36, 28


@pytest.mark.parametrize("url, most", [(INBOX, WEB_MOST), ("/api/approvals/inbox/", API_MOST)])
def test_a_page_full_of_evidence_costs_the_same_few_queries_at_any_size(
    proposer, approver, standards_keeper, monkeypatch, url, most, django_assert_max_num_queries
):
    from experiments.api.pagination import CappedPagination
    from tests.approvals.desk_world import busy_page

    monkeypatch.setattr(inbox, "PAGE_SIZE", 20)
    monkeypatch.setattr(CappedPagination, "page_size", 20)
    client = https_client(approver) if url == INBOX else api_client(approver)
    busy_page(proposer, approver, standards_keeper, 3)
    few = _queries(client, url)
    busy_page(proposer, approver, standards_keeper, 9)
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200
    assert _queries(client, url) == few
