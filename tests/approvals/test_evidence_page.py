"""The evidence in full under a request: what the inbox card loads when its section opens, and a
page of its own (the link inside it) for a browser without JavaScript."""

import pytest
from django.urls import reverse

from experiments.models import Experiment
from tests.approvals.web import evidence_url, open_request
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db


def test_the_part_is_the_evidence_alone_and_the_page_wraps_it(pending, approver):
    request = open_request(pending)
    part = https_client(approver).get(evidence_url(request, part=True)).content.decode()
    assert "<html" not in part and "days needed" in text_of(part)  # a fragment: the card inserts it
    assert f'id="overlaps-{request.pk}"' in part and f'id="standards-in-force-{request.pk}"' in part

    page = https_client(approver).get(evidence_url(request))
    text = text_of(page.content.decode())
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert f"The evidence for “{pending.title}”" in text and "days needed" in text
    assert f"{reverse('approvals-inbox')}#request-{request.pk}" in page.content.decode()  # back to the card


def test_the_cards_links_open_the_evidence_where_it_is_listed(pending, approver):
    request = open_request(pending)
    html = https_client(approver).get(reverse("approvals-inbox")).content.decode()
    assert f'id="evidence-{request.pk}"' in html
    assert f'href="{evidence_url(request)}"' in html  # without JavaScript: the evidence as a page
    assert f'data-evidence-src="{evidence_url(request, part=True)}"' in html  # with it: loaded in place


def test_anyone_who_may_see_the_experiment_may_read_it_and_no_one_else(pending, approver, outsider, proposer):
    request = open_request(pending)
    assert https_client(outsider).get(evidence_url(request, part=True)).status_code == 200  # as its page shows it
    anonymous = https_client().get(evidence_url(request, part=True))
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]

    Experiment.objects.filter(pk=pending.pk).update(status="draft")  # back to its authors alone
    assert https_client(outsider).get(evidence_url(request, part=True)).status_code == 404
    assert https_client(proposer).get(evidence_url(request, part=True)).status_code == 200


def test_a_request_is_read_only_under_its_own_experiment(submit, pending, proposer, approver):
    other = submit(proposer, approver, key="other-greeting")
    wrong = reverse("approvals-request-evidence", kwargs={"key": other.key, "pk": open_request(pending).pk})
    assert https_client(approver).get(wrong).status_code == 404


def test_the_evidence_costs_the_same_few_queries_for_any_request(submit, pending, proposer, approver):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The second overlaps the first and a third: more to list, not more queries.
    crowded = submit(proposer, approver, key="crowded-greeting")
    submit(proposer, approver, key="third-greeting")
    client = https_client(approver)
    counts = []
    for experiment in (pending, crowded):
        url = evidence_url(open_request(experiment), part=True)
        client.get(url)  # the session and the language read once, as on any later click
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] <= 30, counts
