"""Web pages of the cadence app itself; included at the site root."""

from django.urls import path

from cadence import views

urlpatterns = [
    path("operations/", views.operations_page, name="operations"),
]
