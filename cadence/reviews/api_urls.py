"""API routes; included under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from cadence.reviews.api import ItemDecisionView, ItemVoteView, ReviewMeetingViewSet

router = SimpleRouter()
router.register("reviews/meetings", ReviewMeetingViewSet, basename="api-review-meeting")

urlpatterns = [
    path("reviews/items/<int:pk>/votes/", ItemVoteView.as_view(), name="api-review-item-vote"),
    path("reviews/items/<int:pk>/decision/", ItemDecisionView.as_view(), name="api-review-item-decision"),
    path("", include(router.urls)),
]
