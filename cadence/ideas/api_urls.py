"""API routes; included under /api/."""

from rest_framework.routers import SimpleRouter

from cadence.ideas.api_views import IdeaViewSet, MeetingViewSet

router = SimpleRouter()
router.register("ideas", IdeaViewSet, basename="api-idea")
router.register("idea-meetings", MeetingViewSet, basename="api-idea-meeting")

urlpatterns = router.urls
