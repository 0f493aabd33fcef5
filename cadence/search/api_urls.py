"""API routes; included under /api/."""

from django.urls import path

from cadence.search.api import SearchView

urlpatterns = [path("search/", SearchView.as_view(), name="api-search")]
