"""API routes; included under /api/."""
from django.urls import path  # noqa: F401

urlpatterns = []
