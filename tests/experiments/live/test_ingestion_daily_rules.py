"""Daily figures per arm: each kind's columns, consistent sums, one row per cell ever."""

import pytest

from experiments.models import DailyAggregate
from tests.experiments.live.test_ingestion_scenario import (
    api_client,
    figure,
    outcome,
    running_experiment,
    send,
    stored_counts,
)

RULES = [
    # (what, the second row's metric and figures, field named, words in the message)
    (
        "successes above n",
        ("fcr", {"n": 10, "successes": 11}),
        "successes",
        "cannot exceed the number of units (11 > 10)",
    ),
    ("binary without successes", ("fcr", {"n": 10}), "successes", "Required for binary rate metrics (n, successes)"),
    ("binary with a sum", ("fcr", {"n": 10, "successes": 3, "sum": 3}), "sum", "Not used for binary rate metrics"),
    ("negative n", ("fcr", {"n": -1, "successes": 0}), "n", "must not be negative"),
    ("fractional n", ("fcr", {"n": 10.5, "successes": 3}), "n", "must be a whole number"),
    ("n that is text", ("fcr", {"n": "ten", "successes": 3}), "n", "Must be a number, got 'ten'"),
    ("NaN sum", ("csat", {"n": 10, "sum": "nan", "sum_sq": 100}), "sum", "finite number"),
    (
        "mean without sum_sq",
        ("csat", {"n": 10, "sum": 40}),
        "sum_sq",
        "Required for continuous mean metrics (n, sum, sum_sq)",
    ),
    (
        "sum_sq too small for the sum",
        ("csat", {"n": 10, "sum": 40, "sum_sq": 150}),
        "sum_sq",
        "implies a negative variance",
    ),
    (
        "sum above n x max",
        ("csat", {"n": 10, "sum": 51, "sum_sq": 261}),
        "sum",
        "above 10 units x the maximum 5 points",
    ),
    ("sum below n x min", ("csat", {"n": 10, "sum": 9, "sum_sq": 9}), "sum", "below 10 units x the minimum 1 points"),
    (
        "sum_sq too large for the range",
        ("csat", {"n": 10, "sum": 30, "sum_sq": 160}),
        "sum_sq",
        "too large for 10 values between 1 and 5",
    ),
    (
        "mean with promoters",
        ("csat", {"n": 10, "sum": 40, "sum_sq": 170, "promoters": 2}),
        "promoters",
        "Not used for continuous mean",
    ),
    (
        "promoters and detractors above n",
        ("nps", {"n": 10, "promoters": 6, "detractors": 5, "sum": 60, "sum_sq": 500}),
        "detractors",
        "cannot exceed the number of respondents",
    ),
    (
        "NPS sum that does not fit the counts",
        ("nps", {"n": 10, "promoters": 10, "detractors": 0, "sum": 80, "sum_sq": 900}),
        "sum",
        "must lie between 90 and 100",
    ),
    (
        "NPS sum_sq that does not fit the counts",
        ("nps", {"n": 10, "promoters": 0, "detractors": 10, "sum": 30, "sum_sq": 400}),
        "sum_sq",
        "must lie between 0 and 360",
    ),
    (
        "NPS without sum_sq",
        ("nps", {"n": 10, "promoters": 5, "detractors": 2, "sum": 75}),
        "sum_sq",
        "Required for nps-style score",
    ),
    ("today, which is not over", ("fcr", {"n": 10, "successes": 3, "day": "2026-03-10"}), "day", "is not over yet"),
    ("a day in the future", ("fcr", {"n": 10, "successes": 3, "day": "2026-03-12"}), "day", "is not over yet"),
    (
        "a day before the start",
        ("fcr", {"n": 10, "successes": 3, "day": "2026-03-04"}),
        "day",
        "before the experiment started running",
    ),
    (
        "a day that does not exist",
        ("fcr", {"n": 10, "successes": 3, "day": "2026-02-30"}),
        "day",
        "Must be a date such as 2026-03-04",
    ),
    ("a time for a day", ("fcr", {"n": 10, "successes": 3, "day": "yesterday"}), "day", "Must be a date"),
    ("unknown arm", ("fcr", {"n": 10, "successes": 3, "arm": "long"}), "arm", "Unknown arm 'long'"),
]


@pytest.mark.parametrize("what, second, field, words", RULES, ids=[r[0] for r in RULES])
def test_one_bad_row_refuses_the_batch_and_writes_nothing(frozen, proposer, approver, what, second, field, words):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    assert (
        send(client, "/api/daily-figures/", [figure(experiment, day="2026-03-05", n=50, successes=20)]).status_code
        == 201
    )
    before = stored_counts()

    metric, figures = second[0], dict(second[1])
    bad = figure(experiment, figures.pop("arm", "short"), metric, day=figures.pop("day", "2026-03-07"), **figures)
    rows = [figure(experiment, "short", "fcr", n=80, successes=30), bad]
    response = send(client, "/api/daily-figures/", rows)

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["error_count"] == 1, body
    [error] = body["errors"]
    assert (error["row"], error["field"]) == (2, field)
    assert words in error["message"]
    assert stored_counts() == before


def test_one_row_per_cell_within_a_batch(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [
        figure(experiment, n=10, successes=3),
        figure(experiment, "short", n=10, successes=3),
        figure(experiment, n=12, successes=4),
    ]
    [error] = send(api_client(proposer), "/api/daily-figures/", rows).json()["errors"]
    assert (error["row"], error["field"]) == (3, "day")
    assert "Duplicate of row 1" in error["message"]
    assert stored_counts() == (0, 0, 0)


def test_one_row_per_cell_ever(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    assert send(client, "/api/daily-figures/", [figure(experiment, n=10, successes=3)]).status_code == 201
    before = stored_counts()
    [error] = send(client, "/api/daily-figures/", [figure(experiment, n=11, successes=3)]).json()["errors"]
    assert (error["row"], error["field"]) == (1, "day")
    assert "Already recorded" in error["message"]
    assert stored_counts() == before
    assert DailyAggregate.objects.get().n == 10


def test_figures_for_a_day_that_has_per_unit_outcomes_are_refused(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    assert send(client, "/api/outcomes/", [outcome(experiment, time="2026-03-06T10:00:00Z")]).status_code == 201
    before = stored_counts()
    [error] = send(client, "/api/daily-figures/", [figure(experiment, day="2026-03-06", n=10, successes=3)]).json()[
        "errors"
    ]
    assert (error["row"], error["field"]) == (1, "metric")
    assert "Per-unit outcomes were already sent for control, fcr on 6 Mar 2026" in error["message"]
    assert stored_counts() == before
    # Another day, or another arm, is free.
    assert (
        send(
            client, "/api/daily-figures/", [figure(experiment, "short", day="2026-03-06", n=10, successes=3)]
        ).status_code
        == 201
    )


def test_outcomes_for_a_day_that_has_daily_figures_are_refused(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    assert (
        send(client, "/api/daily-figures/", [figure(experiment, day="2026-03-06", n=10, successes=3)]).status_code
        == 201
    )
    before = stored_counts()
    [error] = send(client, "/api/outcomes/", [outcome(experiment, time="2026-03-06T18:00:00Z")]).json()["errors"]
    assert (error["row"], error["field"]) == (1, "metric")
    assert "Daily figures were already sent for control, fcr on 6 Mar 2026" in error["message"]
    assert stored_counts() == before


def test_the_figures_of_each_kind_that_fit(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [
        figure(experiment, "control", "fcr", n=0, successes=0),  # a day without units is a fact too
        figure(experiment, "control", "csat", n=1, sum=5, sum_sq=25),  # one unit at the maximum
        figure(experiment, "control", "nps", n=3, promoters=1, detractors=1, sum=10 + 7 + 0, sum_sq=100 + 49 + 0),
        figure(experiment, "short", "nps", n=2, promoters=2, detractors=0, sum=18, sum_sq=162),
    ]
    response = send(api_client(proposer), "/api/daily-figures/", rows)
    assert response.status_code == 201, response.json()
