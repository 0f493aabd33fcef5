"""Web pages; included at the site root."""

from django.urls import path

from cadence.standards import views
from cadence.standards.views_drafting import standard_start_from

urlpatterns = [
    path("standards/", views.standard_list, name="standard-list"),
    path("standards/<int:pk>/", views.standard_detail, name="standard-detail"),
    path("standards/<int:pk>/start-from/", standard_start_from, name="standard-start-from"),
]
