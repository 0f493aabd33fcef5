"""Every /api/approvals/ route, for every role: 200/201 when allowed, 403 when not, 404 when hidden.

Routes run in order, reads first; the writes come last so one role's allowed write does not change
what the next route sees.
"""

import pytest

from approvals.models import ApprovalRequest, Decision
from tests.approvals.scenario import ROLES, build_world
from tests.approvals.web import api_client

pytestmark = pytest.mark.django_db

ALL = dict.fromkeys(ROLES, 200) | {"anonymous": 401}
# Superusers see drafts too (experiments.access), and read every decision; they still hold no approval slot.
AUTHOR_AND_ADMIN = {"proposer": 200, "admin_user": 200}
KEEPER_AND_ADMIN = {"standards_keeper": 200, "admin_user": 200}


def only(allowed: dict, otherwise: int) -> dict:
    return {role: allowed.get(role, otherwise) for role in ROLES} | {"anonymous": 401}


# (name, method, path from the world, body, expected status per role)
ROUTES = [
    ("inbox", "get", lambda w: "/api/approvals/inbox/", None, ALL),
    ("request", "get", lambda w: f"/api/approvals/requests/{w.pending_request.pk}/", None, ALL),
    (
        "hidden request",
        "get",
        lambda w: f"/api/approvals/requests/{w.draft_request.pk}/",
        None,
        only(AUTHOR_AND_ADMIN, 404),
    ),
    ("request diff", "get", lambda w: f"/api/approvals/requests/{w.pending_request.pk}/diff/", None, ALL),
    ("amendments", "get", lambda w: f"/api/approvals/experiments/{w.pending.key}/amendments/", None, ALL),
    (
        "hidden amendments",
        "get",
        lambda w: f"/api/approvals/experiments/{w.draft.key}/amendments/",
        None,
        only(AUTHOR_AND_ADMIN, 404),
    ),
    ("decisions", "get", lambda w: f"/api/approvals/experiments/{w.approved.key}/decisions/", None, ALL),
    ("decisions csv", "get", lambda w: f"/api/approvals/experiments/{w.approved.key}/decisions/csv/", None, ALL),
    (
        "hidden decisions csv",
        "get",
        lambda w: f"/api/approvals/experiments/{w.draft.key}/decisions/csv/",
        None,
        only(AUTHOR_AND_ADMIN, 404),
    ),
    ("all decisions", "get", lambda w: "/api/approvals/decisions/", None, only(KEEPER_AND_ADMIN, 403)),
    ("all decisions csv", "get", lambda w: "/api/approvals/decisions/csv/", None, only(KEEPER_AND_ADMIN, 403)),
    ("comments", "get", lambda w: f"/api/approvals/requests/{w.pending_request.pk}/comments/", None, ALL),
    (
        "hidden comments",
        "get",
        lambda w: f"/api/approvals/requests/{w.draft_request.pk}/comments/",
        None,
        only(AUTHOR_AND_ADMIN, 404),
    ),
    (
        "comment",
        "post",
        lambda w: f"/api/approvals/requests/{w.pending_request.pk}/comments/",
        {"body": "Why?"},
        only({"proposer": 201, "co_author": 201, "approver": 201, "admin_user": 201}, 403),
    ),
    ("notifications", "get", lambda w: "/api/approvals/notifications/", None, ALL),
    (
        "mark read",
        "post",
        lambda w: f"/api/approvals/notifications/{w.notification.pk}/read/",
        None,
        only({"approver": 200}, 404),
    ),
    (
        "restart",
        "post",
        lambda w: f"/api/approvals/experiments/{w.stopped.key}/restart/",
        {"reason": "Outage"},
        only({"proposer": 201, "signal_owner": 201}, 403),
    ),
    (
        "amend",
        "post",
        lambda w: f"/api/approvals/experiments/{w.approved.key}/amendments/",
        {"exposure_cap_pct": "35", "reason": "More"},
        only({"proposer": 201}, 403),
    ),
    (
        "amend hidden",
        "post",
        lambda w: f"/api/approvals/experiments/{w.draft.key}/amendments/",
        {"exposure_cap_pct": "35", "reason": "More"},
        only({"proposer": 409, "admin_user": 403}, 404),
    ),
    (
        "decide hidden",
        "post",
        lambda w: f"/api/approvals/requests/{w.draft_request.pk}/decide/",
        {"verdict": "approve"},
        only({"proposer": 403, "admin_user": 403}, 404),
    ),
    (
        "decide",
        "post",
        lambda w: f"/api/approvals/requests/{w.pending_request.pk}/decide/",
        {"verdict": "approve"},
        only({"approver": 200}, 403),
    ),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_right_for(
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
    client = api_client(None if role == "anonymous" else request.getfixturevalue(role))
    for name, method, path, body, expected in ROUTES:
        with subtests.test(route=name):
            response = (
                getattr(client, method)(path(world), body, format="json")
                if body
                else getattr(client, method)(path(world))
            )
            assert response.status_code == expected[role], (name, response.content[:300])

    # Side effects only where allowed: one decision (the named approver's), amendments by the owner.
    decided = Decision.objects.filter(request=world.pending_request).values_list("approver__username", flat=True)
    assert list(decided) == ([approver.username] if role == "approver" else [])
    amended = ApprovalRequest.objects.filter(kind="amendment").exists()
    assert amended == (role == "proposer")
