"""Approver pages under /approvals/: the inbox, decisions, amendments, restarts, CSV and notifications."""

from django.urls import path

from approvals.views.amend import amend, request_restart
from approvals.views.comments import comment_on_request
from approvals.views.decide import decide_request
from approvals.views.evidence_page import request_evidence
from approvals.views.export import all_decisions_csv, experiment_decisions_csv
from approvals.views.inbox import inbox
from approvals.views.notifications import mark_all_read, mark_read, notification_list

urlpatterns = [
    path("", inbox, name="approvals-inbox"),
    path("decisions.csv", all_decisions_csv, name="approvals-decisions-csv"),
    path("notifications/", notification_list, name="approvals-notifications"),
    path("notifications/read-all/", mark_all_read, name="approvals-notifications-read-all"),
    path("notifications/<int:pk>/read/", mark_read, name="approvals-notification-read"),
    path("experiments/<slug:key>/requests/<int:pk>/decide/", decide_request, name="approvals-decide"),
    path("experiments/<slug:key>/requests/<int:pk>/comments/", comment_on_request, name="approvals-comment"),
    path("experiments/<slug:key>/requests/<int:pk>/evidence/", request_evidence, name="approvals-request-evidence"),
    path("experiments/<slug:key>/amend/", amend, name="approvals-amend"),
    path("experiments/<slug:key>/restart/", request_restart, name="approvals-request-restart"),
    path("experiments/<slug:key>/decisions.csv", experiment_decisions_csv, name="approvals-experiment-decisions-csv"),
]
