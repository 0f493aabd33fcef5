"""API routes of running experiments (assignment, data in, checks); included under /api/."""
from django.urls import path  # noqa: F401

urlpatterns = []

# Data in: per-unit outcomes and daily figures per arm, one idempotent batch per request.
from experiments.live.api_ingestion import DailyFiguresView, OutcomesView  # noqa: E402

urlpatterns += [
    path("outcomes/", OutcomesView.as_view(), name="api-outcomes"),
    path("daily-figures/", DailyFiguresView.as_view(), name="api-daily-figures"),
]
