"""Web pages of running experiments (upload, checks); included at the site root."""
from django.urls import path  # noqa: F401

urlpatterns = []
