"""The assignment API's edges: who may ask, bad input named by field, and the batch form."""

import pytest

from experiments.live import assignment_buffer
from experiments.models import Status
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.live.keyed import keyed_client
from tests.factories import make_experiment


def signed_in(user, **kwargs):
    client = HttpsAPIClient(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def live(proposer, approver):
    return make_experiment(proposer, approver, key="live", status=Status.RUNNING, exposure_cap_pct=100)


def get(client, key="live", **params):
    return client.get(f"/api/experiments/{key}/assignment/", params)


def batch(client, units, experiment="live"):
    return client.post("/api/assignments/", {"experiment": experiment, "units": units}, format="json")


# --- who may ask ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, expected",
    [
        ("proposer", 200),
        ("co_author", 200),
        ("admin_user", 200),
        ("approver", 404),
        ("outsider", 404),
        ("signal_owner", 404),
    ],
)
def test_a_draft_answers_its_authors_only(request, proposer, co_author, approver, role, expected):
    draft = make_experiment(proposer, approver, key="secret-draft")
    draft.co_authors.add(co_author)
    user = request.getfixturevalue(role)
    assert get(signed_in(user), "secret-draft", unit="u1", touchpoint="chat").status_code == expected
    # A key for the draft does not open it to someone who may not see it.
    response = batch(keyed_client(user, [draft]), [{"unit": "u1", "touchpoint": "chat"}], experiment="secret-draft")
    assert response.status_code == expected
    if expected == 404:
        assert response.json() == {"detail": "No such experiment.", "code": "not_found", "problems": []}


def test_a_running_experiment_answers_every_signed_in_user(live, outsider, approver, board_member):
    for user in (outsider, approver, board_member):
        assert get(signed_in(user), unit="u1", touchpoint="chat").json()["enrolled"] is True


def test_an_unknown_experiment_is_404(outsider):
    assert get(signed_in(outsider), "no-such-thing", unit="u1").status_code == 404
    assert batch(keyed_client(outsider), [{"unit": "u1"}], experiment="no-such-thing").status_code == 404


def test_anonymous_callers_are_refused(live):
    anonymous = HttpsAPIClient()
    for response in (get(anonymous, unit="u1", touchpoint="chat"), batch(anonymous, [{"unit": "u1"}])):
        assert response.status_code in (401, 403)
        assert response.json()["detail"] == "Authentication credentials were not provided."
    assert len(assignment_buffer.buffer) == 0


def test_service_keys_need_no_csrf_but_sessions_do(live, outsider):
    service = keyed_client(outsider, enforce_csrf_checks=True)
    assert get(service, unit="u1", touchpoint="chat").status_code == 200
    assert batch(service, [{"unit": "u1", "touchpoint": "chat"}]).status_code == 200

    browser = signed_in(outsider, enforce_csrf_checks=True)
    response = batch(browser, [{"unit": "u1", "touchpoint": "chat"}])
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, field, words",
    [
        ({}, "unit", "Required"),
        ({"unit": ""}, "unit", "Required"),
        ({"unit": "   "}, "unit", "blank"),
        ({"unit": "x" * 201}, "unit", "At most 200 characters; this one has 201"),
        ({"unit": "bad\tid"}, "unit", "control characters"),  # NUL never gets here: experiments.inputs
        ({"unit": "u1", "segment": "martians"}, "segment", "Unknown segment 'martians'"),
        ({"unit": "u1", "touchpoint": "carrier-pigeon"}, "touchpoint", "Unknown touchpoint 'carrier-pigeon'"),
    ],
)
def test_bad_input_is_400_naming_the_field(live, outsider, params, field, words):
    response = get(signed_in(outsider), **params)
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert problem["field"] == field
    assert words in problem["message"]


def test_a_unit_of_exactly_200_characters_is_fine(live, outsider):
    assert get(signed_in(outsider), unit="x" * 200, touchpoint="chat").json()["enrolled"] is True


# --- the batch form ------------------------------------------------------------------------


def test_batch_answers_in_the_order_given_as_single_calls_would(proposer, approver, outsider):
    make_experiment(
        proposer, approver, key="scoped", status=Status.RUNNING, exposure_cap_pct=50, segments=("business",)
    )
    client = keyed_client(outsider)
    units = [
        {"unit": "u3", "touchpoint": "chat", "segment": "business"},
        {"unit": "u1", "touchpoint": "chat", "segment": "business"},
        {"unit": "u2"},
        {"unit": "u1", "touchpoint": "chat", "segment": "business"},
        {"unit": 12345, "touchpoint": "email", "segment": "business"},
        {"unit": "u4", "touchpoint": "chat"},
    ] + [{"unit": f"v{i}", "touchpoint": "chat", "segment": "business"} for i in range(40)]
    response = batch(client, units, experiment="scoped")
    assert response.status_code == 200
    rows = response.json()
    assert [row["unit"] for row in rows] == [str(u["unit"]) for u in units]
    singles = [get(client, "scoped", **{k: str(v) for k, v in u.items()}).json() for u in units]
    assert rows == singles
    assert [row["reason"] for row in rows[2:6]] == [
        "touchpoint_missing",
        rows[1]["reason"],
        "touchpoint_outside_scope",
        "segment_missing",
    ]
    assert {row["reason"] for row in rows[6:]} == {"enrolled", "outside_exposure_cap"}


def test_batch_size_is_capped(live, outsider):
    client = keyed_client(outsider)
    response = batch(client, [{"unit": f"u{i}", "touchpoint": "chat"} for i in range(1001)])
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"field": "units", "message": "At most 1000 units per request; this one has 1001."}
    ]
    assert batch(client, [{"unit": f"u{i}", "touchpoint": "chat"} for i in range(1000)]).status_code == 200


@pytest.mark.parametrize(
    "body, errors",
    [
        ({"units": [{"unit": "u1"}]}, {"experiment": ["Required: the experiment's key."]}),
        ({"experiment": "live"}, {"units": ["Required: a list of objects with 'unit'."]}),
        ({"experiment": "live", "units": []}, {"units": ["Give at least one unit."]}),
        (
            {"experiment": "live", "units": "u1,u2"},
            {"units": ["Must be a list of objects with 'unit' (and optionally 'segment', 'touchpoint')."]},
        ),
        (
            {
                "experiment": "live",
                "units": [{"unit": "u1"}, {"touchpoint": "chat"}, "u3", {"unit": "u4", "segmnet": "business"}],
            },
            {
                "units[1].unit": ["Required: the id of the unit (customer, session, ...) to assign."],
                "units[2]": ["Must be an object with 'unit' and optionally 'segment' and 'touchpoint'."],
                "units[3].segmnet": ["Unknown field; an entry takes unit, segment and touchpoint."],
            },
        ),
        (
            {"experiment": "live", "units": [{"unit": "u1", "segment": "martians"}, {"unit": True}]},
            {"units[1].unit": ["Must be a string (or a whole number)."]},
        ),
        (
            {
                "experiment": "live",
                "units": [{"unit": "u1", "touchpoint": "chat"}, {"unit": "u2", "segment": "martians"}],
            },
            {"units[1].segment": ["Unknown segment 'martians'; see /api/segments/ for the keys."]},
        ),
    ],
)
def test_a_bad_batch_is_refused_whole_naming_each_field(live, outsider, body, errors):
    response = keyed_client(outsider).post("/api/assignments/", body, format="json")
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"field": field, "message": message} for field, messages in errors.items() for message in messages
    ]
    assert len(assignment_buffer.buffer) == 0  # not even the good entries were counted
