"""Web pages; included at the site root."""

from django.urls import path

from cadence.duties import views

urlpatterns = [
    path("roles/", views.roles, name="roles"),
    path("responses/", views.response_list, name="response-list"),
    path("responses/<int:pk>/", views.response_detail, name="response-detail"),
    path("responses/<int:pk>/close/", views.response_close, name="response-close"),
]
