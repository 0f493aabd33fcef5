"""A later experiment on the same scope that loses or is stopped flags the standard; re-review due."""

import datetime as dt

import pytest
import time_machine

from cadence.reviews.agenda import standards_contradicted, standards_due
from cadence.standards.models import Standard
from cadence.standards.services import create_from_experiment
from tests.cadence.reviews.helpers import ended

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard(proposer, approver, signal_owner, standards_keeper, board_member):
    with time_machine.travel("2026-01-10 09:00Z", tick=False):
        source = ended(proposer, approver, signal_owner, touchpoints=("chat",), segments=("new-customers",))
        return create_from_experiment(
            source, statement="Greet new chat customers in one sentence.", owner=standards_keeper, actor=board_member
        )


def later(*args, **kw):
    with time_machine.travel("2026-02-10 09:00Z", tick=False):
        return ended(*args, **kw)


def test_a_later_loss_on_the_same_touchpoint_and_segment_flags_it(standard, proposer, approver, signal_owner):
    loser = later(
        proposer, approver, signal_owner, outcome="lost", touchpoints=("chat", "email"), segments=("new-customers",)
    )
    standard.refresh_from_db()
    assert standard.status == Standard.Status.UNDER_REVIEW
    assert [c.experiment for c in standard.open_contradictions()] == [loser]
    assert standard.versions.last().change == "flagged"
    assert list(standards_contradicted()) == [standard]


def test_a_stop_on_all_customers_of_the_touchpoint_flags_it(standard, proposer, approver, signal_owner):
    stopped = later(proposer, approver, signal_owner, touchpoints=("chat",), stop=True)
    assert [c.experiment for c in standard.open_contradictions()] == [stopped]
    assert "stopped" in standard.open_contradictions().get().reason


@pytest.mark.parametrize(
    "scope",
    [
        {"touchpoints": ("phone",), "segments": ("new-customers",)},  # another touchpoint
        {"touchpoints": ("chat",), "segments": ("business",)},  # another segment
    ],
)
def test_a_loss_elsewhere_does_not_flag_it(standard, proposer, approver, signal_owner, scope):
    later(proposer, approver, signal_owner, outcome="lost", **scope)
    assert not standard.open_contradictions().exists()


def test_a_win_or_an_inconclusive_does_not_flag_it(standard, proposer, approver, signal_owner):
    later(proposer, approver, signal_owner, outcome="won", segments=("new-customers",))
    later(proposer, approver, signal_owner, outcome="inconclusive", segments=("new-customers",))
    assert not standard.open_contradictions().exists()
    assert Standard.objects.get(pk=standard.pk).status == Standard.Status.ACTIVE


def test_retired_standards_are_not_flagged(standard, proposer, approver, signal_owner):
    Standard.objects.filter(pk=standard.pk).update(status=Standard.Status.RETIRED)
    later(proposer, approver, signal_owner, outcome="lost", segments=("new-customers",))
    assert not standard.contradictions.exists()


def test_rereview_comes_due_twelve_months_after_it_took_effect(standard):
    assert standard.rereview_date == dt.date(2027, 1, 10)
    assert list(standards_due(dt.date(2027, 1, 9))) == []
    assert list(standards_due(dt.date(2027, 1, 10))) == [standard]
