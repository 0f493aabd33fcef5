"""/operations/: the monitoring sweep at a glance, for staff only."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cadence import operations
from cadence.access import may_see_operations


@login_required
def operations_page(request):
    if not may_see_operations(request.user):
        raise PermissionDenied(_("The operations page is for staff."))
    now = timezone.now()
    return render(
        request,
        "cadence/operations.html",
        {
            "now": now,
            "last_sweep": operations.last_sweep(),
            "overdue": operations.overdue_looks(now),
            "late_looks": operations.late_looks(),
            "grace_minutes": settings.MONITORING_GRACE_MINUTES,
            "sweep_minutes": max(1, round(settings.MONITORING_SWEEP_SECONDS / 60)),
        },
    )
