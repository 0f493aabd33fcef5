"""Who sees and edits which experiment: the one lookup every view and endpoint uses."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from experiments.access import can_edit, can_propose, get_experiment_for, visible_experiments
from experiments.models import Status
from tests.factories import make_experiment


@pytest.fixture
def shelf(proposer, co_author, approver):
    """One experiment in each status, all owned by the proposer with a co-author."""
    experiments = {}
    for status in Status.values:
        experiment = make_experiment(proposer, approver, status=status, key=status.replace("_", "-"))
        experiment.co_authors.add(co_author)
        experiments[status] = experiment
    return experiments


def visible_keys(user):
    return set(visible_experiments(user).values_list("key", flat=True))


ALL_KEYS = {s.replace("_", "-") for s in Status.values}


@pytest.mark.usefixtures("shelf")
@pytest.mark.parametrize("who", ["proposer", "co_author"])
def test_authors_see_everything_including_their_drafts(request, who):
    assert visible_keys(request.getfixturevalue(who)) == ALL_KEYS


@pytest.mark.usefixtures("shelf")
@pytest.mark.parametrize("who", ["approver", "signal_owner", "board_member", "outsider"])
def test_drafts_are_private_to_their_authors(request, who):
    # Even the approver named on the draft does not see it before it is submitted.
    assert visible_keys(request.getfixturevalue(who)) == ALL_KEYS - {"draft"}


@pytest.mark.usefixtures("shelf")
def test_superuser_sees_all(admin_user):
    assert visible_keys(admin_user) == ALL_KEYS


@pytest.mark.usefixtures("shelf")
def test_anonymous_sees_nothing():
    assert visible_keys(AnonymousUser()) == set()


def test_an_experiment_with_several_co_authors_is_listed_once(proposer, co_author, approver, other_approver):
    experiment = make_experiment(proposer, approver)
    experiment.co_authors.add(co_author, other_approver)
    assert list(visible_experiments(co_author).values_list("key", flat=True)) == [experiment.key]


def test_only_authors_edit_and_only_while_in_their_hands(draft, co_author, approver, admin_user, outsider, subtests):
    draft.co_authors.add(co_author)
    for status in Status.values:
        with subtests.test(status=status):
            draft.status = status
            editable = status in (Status.DRAFT, Status.CHANGES_REQUESTED, Status.PENDING_APPROVAL, Status.APPROVED)
            assert can_edit(draft.owner, draft) == editable
            assert can_edit(co_author, draft) == editable
            assert not can_edit(approver, draft)
            assert not can_edit(admin_user, draft)
            assert not can_edit(outsider, draft)
            assert not can_edit(AnonymousUser(), draft)


def test_can_propose_needs_the_proposer_role(proposer, approver, outsider, admin_user):
    assert can_propose(proposer)
    assert can_propose(admin_user)
    assert not can_propose(approver)
    assert not can_propose(outsider)
    assert not can_propose(AnonymousUser())


def test_lookup_returns_the_experiment(shelf, approver):
    assert get_experiment_for(approver, "running") == shelf[Status.RUNNING]


def test_lookup_of_someone_elses_draft_is_404(shelf, approver):
    # 404, not 403: a draft's existence is private too.
    with pytest.raises(Http404):
        get_experiment_for(approver, "draft")


def test_lookup_of_a_missing_key_is_404(db, proposer):
    with pytest.raises(Http404):
        get_experiment_for(proposer, "no-such-experiment")


def test_edit_lookup_by_a_non_author_is_403(shelf, approver):
    with pytest.raises(PermissionDenied, match="Only the owner and co-authors may edit this experiment."):
        get_experiment_for(approver, "changes-requested", edit=True)


def test_edit_lookup_once_running_is_403_and_says_why(shelf, proposer):
    with pytest.raises(
        PermissionDenied,
        match="This experiment is running: change its scope, exposure, duration or metrics through an amendment",
    ):
        get_experiment_for(proposer, "running", edit=True)
    with pytest.raises(PermissionDenied, match="This experiment is completed and can no longer be edited."):
        get_experiment_for(proposer, "completed", edit=True)


@pytest.mark.parametrize("key", ["draft", "changes-requested", "pending-approval", "approved"])
@pytest.mark.parametrize("who", ["proposer", "co_author"])
def test_edit_lookup_by_an_author_in_their_hands(shelf, request, who, key):
    assert get_experiment_for(request.getfixturevalue(who), key, edit=True).key == key
