"""API routes of running experiments (assignment, data in); included under /api/."""

from django.urls import path

from experiments.live.api_assignment import AssignmentBatchView
from experiments.live.api_ingestion import DailyFiguresView, OutcomesView
from experiments.live.api_sdk import SdkConfigView, SdkExposuresView
from experiments.live.api_segments import SegmentBreakdownView
from experiments.live.fast_assignment import assignment_view

urlpatterns = [
    # Assignment: which arm a unit gets.
    # A plain view for services' calls; everything else is answered by AssignmentView.
    path("experiments/<slug:key>/assignment/", assignment_view, name="api-assignment"),
    path("assignments/", AssignmentBatchView.as_view(), name="api-assignments"),
    # The SDK (clients/python): its configuration, and the first exposures it reports.
    path("sdk/config/", SdkConfigView.as_view(), name="api-sdk-config"),
    path("sdk/exposures/", SdkExposuresView.as_view(), name="api-sdk-exposures"),
    # Data in: per-unit outcomes and daily figures per arm, one idempotent batch per request.
    path("outcomes/", OutcomesView.as_view(), name="api-outcomes"),
    path("daily-figures/", DailyFiguresView.as_view(), name="api-daily-figures"),
    # Exploration: the results per catalogue segment (never used to stop).
    path("experiments/<slug:key>/segments/", SegmentBreakdownView.as_view(), name="api-experiment-segments"),
]
