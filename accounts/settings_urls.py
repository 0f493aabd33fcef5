from django.urls import path

from accounts import views_settings

app_name = "accounts"
urlpatterns = [path("", views_settings.person_settings, name="settings")]
