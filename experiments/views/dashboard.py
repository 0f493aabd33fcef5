"""The signed-in user's desk: what is waiting on them and what they own."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from experiments import access, hooks, roles
from experiments.live.board import running_board
from experiments.models import Experiment, Status


# Each section and the running board show their first rows; the rest are a link to the list away,
# so the page costs the same with ten experiments or ten thousand.
SECTION_ROWS = 10
BOARD_ROWS = 20


def _list_url(statuses, owner=None) -> str:
    query = [("status", s) for s in statuses] + ([("owner", owner.username)] if owner else [])
    return f"{reverse('experiment-list')}?{urlencode(query)}"


@login_required
def dashboard(request):
    user = request.user
    visible = access.visible_experiments(user).select_related("owner", "approver")
    co_authored = Experiment.co_authors.through.objects.filter(user=user).values("experiment_id")
    mine = visible.filter(Q(owner=user) | Q(pk__in=co_authored))
    sections = [
        {
            "title": _("Waiting for your approval"),
            "rows": visible.filter(status=Status.PENDING_APPROVAL, approver=user).exclude(pk__in=mine.values("pk")),
            "empty": _("Nothing is waiting for you to approve."),
            "id": "to-approve",
        },
        {
            "title": _("My drafts"),
            "rows": mine.filter(status__in=[Status.DRAFT, Status.CHANGES_REQUESTED]),
            "empty": _("You have no drafts."),
            "id": "drafts",
        },
        {
            "title": _("My proposals waiting for approval"),
            "rows": mine.filter(status=Status.PENDING_APPROVAL),
            "empty": _("None of your proposals is waiting for approval."),
            "id": "submitted",
        },
        {
            "title": _("My approved and running experiments"),
            "rows": mine.filter(status__in=[Status.APPROVED, Status.RUNNING]),
            "empty": _("You have no approved or running experiments."),
            "id": "running",
        },
    ]
    list_filters = {
        "to-approve": ([Status.PENDING_APPROVAL], None),
        "drafts": ([Status.DRAFT, Status.CHANGES_REQUESTED], user),
        "submitted": ([Status.PENDING_APPROVAL], user),
        "running": ([Status.APPROVED, Status.RUNNING], user),
    }
    for section in sections:
        section["count"] = section["rows"].count()
        section["rows"] = list(section["rows"].order_by("-updated_at", "-pk")[:SECTION_ROWS])
        section["list_url"] = _list_url(*list_filters[section["id"]])
    if not roles.has_role(user, roles.APPROVER) and not sections[0]["count"]:
        sections.pop(0)  # only approvers are ever asked to approve
    board, board_count = running_board(visible, limit=BOARD_ROWS)
    return render(
        request,
        "experiments/dashboard.html",
        {
            "sections": sections,
            "can_propose": access.can_propose(user),
            # Running experiments the user can see, with their lights; problems first.
            "running_board": board,
            "running_count": board_count,
            # Other apps' panels (e.g. cadence.duties: open responses), each {"template", ...}.
            "panels": [hook.fn(user) for hook in hooks.registry.get("dashboard_panel")],
        },
    )
