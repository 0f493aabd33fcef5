"""API routes of running experiments (assignment, data in, checks); included under /api/."""
from django.urls import path  # noqa: F401

urlpatterns = []
