from django.urls import path

from accounts.api import views

urlpatterns = [
    path("token/", views.TokenView.as_view(), name="api-token"),
    path("tokens/", views.TokenListView.as_view(), name="api-token-list"),
    path("tokens/<int:pk>/", views.TokenDetailView.as_view(), name="api-token-detail"),
]
