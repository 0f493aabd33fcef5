"""What the dashboard, the inbox and the review agenda show of response items."""

from django.utils import timezone

from cadence.duties import access
from cadence.duties.models import ResponseItem


def open_items(user):
    return access.visible_items(user).filter(state=ResponseItem.State.OPEN).order_by("due_at", "pk")


def waiting_for(user):
    """Open items this person must close: their own, and those on touchpoints they own (escalations
    go to them). Administrators may close any, but only these wait for them."""
    from django.db.models import Q

    mine = Q(owner=user) | Q(experiment__touchpoints__charter__owner=user)
    return open_items(user).filter(mine).distinct()


def dashboard_panel(user) -> dict:
    """The dashboard's "Open responses": every open item the user can see, theirs marked."""
    items = list(open_items(user))
    now = timezone.now()
    for item in items:
        item.is_mine = item.owner_id == user.pk
        item.overdue = item.due_at <= now
    return {"template": "duties/_dashboard_panel.html", "items": items}


def response_kind(response: dict) -> str:
    """A frozen open response's kind in the active language (agendas frozen before kind_key: as kept)."""
    key = response.get("kind_key")
    return str(ResponseItem.Kind(key).label) if key in ResponseItem.Kind.values else response.get("kind", "")


def review_summary() -> list[dict]:
    """The open responses as the monthly review's agenda keeps them (JSON, frozen with the agenda)."""
    return [
        {
            "id": item.pk,
            "experiment": item.experiment.key,
            "title": item.experiment.title,
            "kind": item.get_kind_display(),
            "kind_key": item.kind,  # the label in each reader's language: response_kind()
            "owner": item.owner.get_full_name() or item.owner.get_username(),
            "opened_at": item.opened_at.isoformat(),
            "due_at": item.due_at.isoformat(),
            "url": item.get_absolute_url(),
        }
        for item in ResponseItem.objects.filter(state=ResponseItem.State.OPEN)
        .select_related("experiment", "owner")
        .order_by("due_at", "pk")
    ]


def experiment_panel(experiment, user) -> dict:
    """The experiment page's part: its response owner and its responses, open first."""
    from experiments import charter

    items = list(access.visible_items(user).filter(experiment=experiment).order_by("-state", "due_at", "pk"))
    return {"response_owner": charter.response_owner_of(experiment), "items": items}
