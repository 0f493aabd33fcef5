"""The nav's “Waiting for me” and notification counts, on every page for a signed-in user."""

from approvals.models import Notification
from approvals.views.waiting import waiting_ids_of_request


def approvals_counts(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "waiting_count": len(waiting_ids_of_request(request)),
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count(),
    }
