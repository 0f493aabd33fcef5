"""The signed-in user's desk: what is waiting on them and what they own."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from experiments import access, hooks, roles
from experiments.live.presentation import running_board
from experiments.models import Status


@login_required
def dashboard(request):
    user = request.user
    visible = access.visible_experiments(user).select_related("owner", "approver")
    mine = visible.filter(Q(owner=user) | Q(co_authors=user)).distinct()
    sections = [
        {
            "title": "Waiting for your approval",
            "rows": visible.filter(status=Status.PENDING_APPROVAL, approver=user).exclude(pk__in=mine.values("pk")),
            "empty": "Nothing is waiting for you to approve.",
            "id": "to-approve",
        },
        {
            "title": "My drafts",
            "rows": mine.filter(status__in=[Status.DRAFT, Status.CHANGES_REQUESTED]),
            "empty": "You have no drafts.",
            "id": "drafts",
        },
        {
            "title": "My proposals waiting for approval",
            "rows": mine.filter(status=Status.PENDING_APPROVAL),
            "empty": "None of your proposals is waiting for approval.",
            "id": "submitted",
        },
        {
            "title": "My approved and running experiments",
            "rows": mine.filter(status__in=[Status.APPROVED, Status.RUNNING]),
            "empty": "You have no approved or running experiments.",
            "id": "running",
        },
    ]
    if not roles.has_role(user, roles.APPROVER) and not sections[0]["rows"]:
        sections.pop(0)  # only approvers are ever asked to approve
    return render(
        request,
        "experiments/dashboard.html",
        {
            "sections": sections,
            "can_propose": access.can_propose(user),
            # Every running experiment the user can see, with its light; problems first.
            "running_board": running_board(visible),
            # Other apps' panels (e.g. cadence.duties: open responses), each {"template", ...}.
            "panels": [hook.fn(user) for hook in hooks.registry.get("dashboard_panel")],
        },
    )
