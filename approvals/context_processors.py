"""The nav's “Waiting for me” and notification counts, on every page for a signed-in user."""

from approvals.models import Notification
from approvals.views.waiting import waiting_count_of_request


def approvals_counts(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from cadence.duties.queries import waiting_for as responses_waiting_for  # their open response items

    return {
        "waiting_count": waiting_count_of_request(request) + responses_waiting_for(user).count(),
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count(),
    }
