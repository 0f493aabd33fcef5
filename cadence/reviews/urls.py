"""Web pages; included at the site root."""

from django.urls import path

from cadence.reviews import minutes, views

urlpatterns = [
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<int:pk>/", views.review_meeting, name="review-meeting"),
    path("reviews/<int:pk>/agenda/", views.review_build_agenda, name="review-build-agenda"),
    path("reviews/<int:pk>/open-early/", views.review_open_early, name="review-open-early"),
    path("reviews/<int:pk>/attendance/", views.review_attendance, name="review-attendance"),
    path("reviews/<int:pk>/minutes/", minutes.minutes_page, name="review-minutes"),
    path("reviews/<int:pk>/minutes.csv", minutes.minutes_csv, name="review-minutes-csv"),
    path("reviews/<int:pk>/minutes.md", minutes.minutes_md, name="review-minutes-md"),
    path("reviews/items/<int:pk>/vote/", views.review_vote, name="review-vote"),
    path("reviews/items/<int:pk>/decide/", views.review_decide, name="review-decide"),
]
