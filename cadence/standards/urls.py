"""Web pages; included at the site root."""

from django.urls import path

from cadence.standards import views

urlpatterns = [
    path("standards/", views.standard_list, name="standard-list"),
    path("standards/<int:pk>/", views.standard_detail, name="standard-detail"),
]
