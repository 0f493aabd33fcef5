"""Every /approvals/ page and form, for every role: who gets the page, who is refused, who sees nothing.

Refused decisions and restarts come back to the experiment with a message (like the lifecycle
buttons), so for those the sweep also checks that nothing was written.
"""

import pytest
from django.urls import reverse

from approvals.models import ApprovalRequest, Decision, RequestComment
from tests.approvals.scenario import ROLES, build_world
from tests.experiments.web import https_client

pytestmark = pytest.mark.django_db

LOGIN = "login"


def per_role(allowed: dict, otherwise) -> dict:
    return {role: allowed.get(role, otherwise) for role in ROLES} | {"anonymous": LOGIN}


PAGE = per_role({}, 200)
ROUTES = [
    ("inbox", "get", lambda w: reverse("approvals-inbox"), None, PAGE),
    ("notifications", "get", lambda w: reverse("approvals-notifications"), None, PAGE),
    (
        "all decisions csv",
        "get",
        lambda w: reverse("approvals-decisions-csv"),
        None,
        per_role({"standards_keeper": 200, "admin_user": 200}, 403),
    ),
    (
        "decisions csv",
        "get",
        lambda w: reverse("approvals-experiment-decisions-csv", args=[w.approved.key]),
        None,
        PAGE,
    ),
    (
        "hidden decisions csv",
        "get",
        lambda w: reverse("approvals-experiment-decisions-csv", args=[w.draft.key]),
        None,
        per_role({"proposer": 200, "admin_user": 200}, 404),
    ),
    (
        "amend form",
        "get",
        lambda w: reverse("approvals-amend", args=[w.approved.key]),
        None,
        per_role({"proposer": 200}, 403),
    ),
    (
        "hidden amend form",
        "get",
        lambda w: reverse("approvals-amend", args=[w.draft.key]),
        None,
        per_role({"proposer": 403, "admin_user": 403}, 404),
    ),
    ("experiment page", "get", lambda w: w.pending.get_absolute_url(), None, PAGE),
    (
        "comment",
        "post",
        lambda w: reverse("approvals-comment", args=[w.pending.key, w.pending_request.pk]),
        {"body": "Why?"},
        per_role({}, 302),
    ),
    (
        "hidden comment",
        "post",
        lambda w: reverse("approvals-comment", args=[w.draft.key, w.draft_request.pk]),
        {"body": "Why?"},
        per_role({"proposer": 302, "admin_user": 302}, 404),
    ),
    (
        "mark read",
        "post",
        lambda w: reverse("approvals-notification-read", args=[w.notification.pk]),
        {},
        per_role({"approver": 302}, 404),
    ),
    (
        "restart",
        "post",
        lambda w: reverse("approvals-request-restart", args=[w.stopped.key]),
        {"reason": "Outage"},
        per_role({}, 302),
    ),
    (
        "decide hidden",
        "post",
        lambda w: reverse("approvals-decide", args=[w.draft.key, w.draft_request.pk]),
        {"verdict": "approve"},
        per_role({"proposer": 302, "admin_user": 302}, 404),
    ),
    (
        "decide",
        "post",
        lambda w: reverse("approvals-decide", args=[w.pending.key, w.pending_request.pk]),
        {"verdict": "approve"},
        per_role({}, 302),
    ),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_right_for(
    role,
    request,
    proposer,
    co_author,
    approver,
    other_approver,
    signal_owner,
    standards_keeper,
    admin_user,
    outsider,
    subtests,
):
    world = build_world(proposer, co_author, approver, signal_owner)
    client = https_client(None if role == "anonymous" else request.getfixturevalue(role))
    for name, method, path, body, expected in ROUTES:
        with subtests.test(route=name):
            url = path(world)
            response = client.post(url, body) if method == "post" else client.get(url)
            if expected[role] == LOGIN:
                assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name
            else:
                assert response.status_code == expected[role], name

    decided = list(
        Decision.objects.filter(request__in=[world.pending_request, world.draft_request]).values_list(
            "approver__username", flat=True
        )
    )
    assert decided == ([approver.username] if role == "approver" else [])
    commented = sorted(RequestComment.objects.values_list("author__username", "request_id"))
    expected = {
        "proposer": [(proposer.username, world.draft_request.pk), (proposer.username, world.pending_request.pk)],
        "co_author": [(co_author.username, world.pending_request.pk)],
        "approver": [(approver.username, world.pending_request.pk)],
        "admin_user": [(admin_user.username, world.draft_request.pk), (admin_user.username, world.pending_request.pk)],
    }
    assert commented == sorted(expected.get(role, []))
    restarted = ApprovalRequest.objects.filter(kind="restart").exists()
    assert restarted == (role in ("proposer", "signal_owner"))
