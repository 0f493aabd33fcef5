from django.urls import path

from mailing.views import preferences

urlpatterns = [
    path("preferences/", preferences, name="notification-preferences"),
]
