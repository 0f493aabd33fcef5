"""The experiment list: only what the user may see, filters, and pagination that keeps them."""

from django.urls import reverse

from experiments.models import Status
from tests.experiments.web import https_client  # noqa: F401
from tests.factories import make_experiment

LIST = reverse("experiment-list")


def keys(response):
    return {e.key for e in response.context["page"].object_list}


def test_list_shows_visible_experiments_only(proposer, approver, co_author):
    make_experiment(proposer, approver, key="mine-draft")
    make_experiment(co_author, approver, key="colins-draft")
    make_experiment(co_author, approver, key="colins-pending", status=Status.PENDING_APPROVAL)
    response = https_client(proposer).get(LIST)
    assert response.status_code == 200
    assert keys(response) == {"mine-draft", "colins-pending"}
    assert "colins-draft" not in response.content.decode()


def test_filter_by_status(proposer, approver):
    make_experiment(proposer, approver, key="a-draft")
    make_experiment(proposer, approver, key="a-running", status=Status.RUNNING)
    make_experiment(proposer, approver, key="an-approved", status=Status.APPROVED)
    client = https_client(proposer)
    assert keys(client.get(LIST, {"status": "running"})) == {"a-running"}
    assert keys(client.get(LIST, {"status": ["running", "approved"]})) == {"a-running", "an-approved"}


def test_filter_by_touchpoint_owner_and_text(proposer, approver, co_author):
    make_experiment(proposer, approver, key="chat-one", status=Status.RUNNING)
    make_experiment(proposer, approver, key="email-one", touchpoints=("email",), status=Status.RUNNING)
    make_experiment(co_author, approver, key="colins-chat", status=Status.RUNNING, title="Callback offer")
    client = https_client(proposer)
    assert keys(client.get(LIST, {"touchpoint": "email"})) == {"email-one"}
    assert keys(client.get(LIST, {"owner": co_author.username})) == {"colins-chat"}
    assert keys(client.get(LIST, {"q": "callback"})) == {"colins-chat"}
    assert keys(client.get(LIST, {"touchpoint": "chat", "owner": proposer.username})) == {"chat-one"}


def test_no_match_says_so_and_offers_to_clear(proposer, approver):
    make_experiment(proposer, approver)
    html = https_client(proposer).get(LIST, {"q": "nothing-like-this"}).content.decode()
    assert "No experiment matches these filters." in html
    assert "Clear the filters" in html


def test_pagination_keeps_the_filters(proposer, approver):
    for n in range(23):
        make_experiment(proposer, approver, key=f"run-{n:02d}", status=Status.RUNNING)
    make_experiment(proposer, approver, key="a-draft")
    client = https_client(proposer)
    first = client.get(LIST, {"status": "running"})
    page = first.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (23, 20, 2)
    assert 'href="?status=running&amp;page=2"' in first.content.decode()
    second = client.get(LIST, {"status": "running", "page": 2})
    assert len(second.context["page"].object_list) == 3
    assert all(k.startswith("run-") for k in keys(second))
    assert 'href="?status=running&amp;page=1"' in second.content.decode()
    # A page past the end shows the last page rather than an error.
    assert client.get(LIST, {"status": "running", "page": 99}).context["page"].number == 2
