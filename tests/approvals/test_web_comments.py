"""The discussion on a request, from the experiment page and the inbox."""

import pytest
from django.urls import reverse

from approvals.models import RequestComment
from tests.approvals.web import messages_of, open_request, web_decide
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db


def comment_url(approval_request):
    return reverse("approvals-comment", kwargs={"key": approval_request.experiment.key, "pk": approval_request.pk})


def post_comment(user, approval_request, body, **extra):
    return https_client(user).post(comment_url(approval_request), {"body": body, **extra}, follow=True)


def test_approver_asks_owner_answers_both_see_the_thread(pending, approver, proposer):
    approval_request = open_request(pending)
    asked = post_comment(approver, approval_request, "Why 20% and not 10%?", next=reverse("approvals-inbox"))
    assert "Comment added." in messages_of(asked)
    assert "Why 20% and not 10%?" in text_of(asked.content.decode())  # back in the inbox, thread shown
    post_comment(proposer, approval_request, "Traffic is low in March.")
    page = text_of(https_client(approver).get(pending.get_absolute_url()).content.decode())
    assert "Alex Approver commented on the proposal: Why 20% and not 10%?" in page
    assert "Priya Proposer commented on the proposal: Traffic is low in March." in page
    assert "Discussion (2)" in page


def test_an_empty_comment_is_refused(pending, approver):
    response = post_comment(approver, open_request(pending), "   ")
    assert "A comment needs some text." in messages_of(response)
    assert not RequestComment.objects.exists()


def test_people_outside_the_request_cannot_comment(pending, outsider, other_approver):
    for person in (outsider, other_approver):
        response = post_comment(person, open_request(pending), "Me too")
        assert "Only the authors and this request's approvers may comment on it." in messages_of(response)
        assert "Add to the discussion" not in https_client(person).get(pending.get_absolute_url()).content.decode()
    assert not RequestComment.objects.exists()


def test_a_closed_request_takes_no_more_comments(pending, approver, proposer):
    approval_request = open_request(pending)
    web_decide(approver, approval_request, "approve")
    response = post_comment(proposer, approval_request, "Thanks")
    assert "This request is approved; the discussion is closed." in messages_of(response)


def test_a_draft_request_is_not_found(draft, approver):
    url = reverse("approvals-comment", kwargs={"key": draft.key, "pk": 1})
    assert https_client(approver).post(url, {"body": "Hi"}).status_code == 404
