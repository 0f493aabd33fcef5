from django.contrib.auth import views as auth_views
from django.urls import path

from experiments.forms import LoginForm
from experiments.views.dashboard import dashboard
from experiments.views.detail import experiment_detail
from experiments.views.drafting import experiment_start_from
from experiments.views.editing import experiment_create, experiment_edit
from experiments.views.lesson import experiment_lesson
from experiments.views.listing import experiment_list
from experiments.views.overrides import override_answer, override_request
from experiments.views.policy_page import policy_page
from experiments.views.rollouts import experiment_rollout
from experiments.views.results_export import results_csv, results_summary
from experiments.views.service_keys import service_key_list, service_key_revoke
from experiments.views.transition import experiment_transition

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", dashboard, name="dashboard"),
    path("policy/", policy_page, name="policy"),
    path("experiments/", experiment_list, name="experiment-list"),
    path("experiments/new/", experiment_create, name="experiment-create"),
    path("experiments/<slug:key>/", experiment_detail, name="experiment-detail"),
    path("experiments/<slug:key>/results.csv", results_csv, name="experiment-results-csv"),
    path("experiments/<slug:key>/summary/", results_summary, name="experiment-results-summary"),
    path("experiments/<slug:key>/edit/", experiment_edit, name="experiment-edit"),
    path("experiments/<slug:key>/start-from/", experiment_start_from, name="experiment-start-from"),
    path("experiments/<slug:key>/transition/", experiment_transition, name="experiment-transition"),
    path("experiments/<slug:key>/lesson/", experiment_lesson, name="experiment-lesson"),
    path("experiments/<slug:key>/override/", override_request, name="experiment-override"),
    path("experiments/<slug:key>/override/<int:pk>/answer/", override_answer, name="experiment-override-answer"),
    path("experiments/<slug:key>/rollout/", experiment_rollout, name="experiment-rollout"),
    path("keys/", service_key_list, name="service-keys"),
    path("keys/<slug:prefix>/revoke/", service_key_revoke, name="service-key-revoke"),
]
