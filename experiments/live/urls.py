"""Web pages of running experiments (upload, checks); included at the site root."""

from django.urls import path  # noqa: F401

urlpatterns = []

# Data in: the upload page and its CSV templates.
from experiments.live.views_upload import experiment_data, experiment_data_template  # noqa: E402

urlpatterns += [
    path("experiments/<slug:key>/data/", experiment_data, name="experiment-data"),
    path(
        "experiments/<slug:key>/data/template-<slug:kind>.csv",
        experiment_data_template,
        name="experiment-data-template",
    ),
]

# The full running board (the dashboard shows its first rows).
from experiments.live.views_board import running_board_page  # noqa: E402

urlpatterns += [path("running/", running_board_page, name="running-board")]
