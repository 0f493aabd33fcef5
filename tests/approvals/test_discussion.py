"""The comment thread on a request, and the touchpoint owner suggested as approver."""

import pytest

from approvals.models import RequestComment
from approvals.services import add_comment, decide, suggested_approver
from experiments.lifecycle import IllegalMove, NotPermitted, TransitionError
from experiments.models import Touchpoint

pytestmark = pytest.mark.django_db


def test_authors_and_approvers_discuss_an_open_request(
    pending, proposer, co_author, approver, outsider, other_approver
):
    request = pending.approval_requests.get()
    add_comment(request, approver, "Why 20% exposure?")
    add_comment(request, co_author, "  Traffic is low in March.  ")
    assert list(request.comments.values_list("author__username", "body")) == [
        ("alex_approver", "Why 20% exposure?"),
        ("colin_coauthor", "Traffic is low in March."),
    ]
    for person in (outsider, other_approver):
        with pytest.raises(NotPermitted):
            add_comment(request, person, "Me too")
    with pytest.raises(TransitionError) as refused:
        add_comment(request, proposer, "   ")
    assert refused.value.problems == [{"field": "body", "message": "Write the comment."}]

    decide(pending, approver, "approve")
    request.refresh_from_db()
    with pytest.raises(IllegalMove, match="approved"):
        add_comment(request, proposer, "Thanks")
    assert RequestComment.objects.count() == 2
    with pytest.raises(ValueError):
        RequestComment.objects.all().delete()


def test_the_touchpoint_owner_is_suggested_as_approver(chat_charter, chat_owner):
    chat = Touchpoint.objects.filter(key="chat")
    assert suggested_approver(chat) == chat_owner
    assert suggested_approver(Touchpoint.objects.filter(key="phone")) is None
