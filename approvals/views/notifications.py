"""Your in-app notifications: newest first, unread marked, each one read by its owner only."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from approvals.models import Notification
from approvals.views.decide import back_to


@login_required
def notification_list(request):
    mine = Notification.objects.filter(user=request.user).select_related("experiment", "request")
    page = Paginator(mine, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/notifications.html",
        {
            "page": page,
            "unread": mine.filter(read_at__isnull=True).count(),
        },
    )


@require_POST
@login_required
def mark_read(request, pk):
    # Someone else's notification is not found, not forbidden: its existence is theirs too.
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(back_to(request, "approvals-notifications"))


@require_POST
@login_required
def mark_all_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("approvals-notifications")
