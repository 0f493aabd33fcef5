"""Everything under /api/approvals/ (session or token auth, signed-in users only)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from approvals.api.views import (
    AllDecisionsViewSet,
    ApprovalRequestViewSet,
    ExperimentApprovalsViewSet,
    InboxView,
    NotificationViewSet,
)

router = SimpleRouter()
router.register("requests", ApprovalRequestViewSet, basename="api-approval-request")
router.register("experiments", ExperimentApprovalsViewSet, basename="api-approval-experiment")
router.register("decisions", AllDecisionsViewSet, basename="api-decision")
router.register("notifications", NotificationViewSet, basename="api-notification")

urlpatterns = [
    path("inbox/", InboxView.as_view(), name="api-approvals-inbox"),
    path("", include(router.urls)),
]
