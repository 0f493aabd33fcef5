"""What waits for a person is one rule, answered by the database (approvals.views.waiting): it
lists exactly the open requests where approvals.slots.qualifies finds an unfilled slot for them,
and the nav's badge counts exactly what the inbox lists, for every named person."""

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals import slots as slot_rules
from approvals.models import ApprovalPolicy, ApprovalRequest
from approvals.services import decide
from approvals.views import inbox
from approvals.views.waiting import waiting_ids, waiting_requests
from experiments.lifecycle import transition
from experiments.models import Touchpoint
from tests.experiments.web import https_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db

PEOPLE = (
    "proposer",
    "co_author",
    "approver",
    "other_approver",
    "signal_owner",
    "standards_keeper",
    "board_member",
    "outsider",
    "admin_user",
    "chat_owner",
    "chat_backup",
    "second_keeper",
)


@pytest.fixture
def second_keeper(db):
    from tests.factories import make_user

    return make_user("kit_keeper", "standards_keeper")


@pytest.fixture
def people(request):
    return {name: request.getfixturevalue(name) for name in PEOPLE}


@pytest.fixture
def world(people, owner_policy, personal_data):
    """Open requests of every kind of slot: named, role (one and two of a kind), touchpoint owner,
    half filled, voted on, escalated to the backup, on co-authored experiments; and closed ones."""
    p = people
    proposer, approver = p["proposer"], p["approver"]
    email = Touchpoint.objects.get(key="email")
    ApprovalPolicy.objects.create(
        name="Two keepers on email", touchpoint=email, requirement="role", role="standards_keeper", count=2
    )
    ApprovalPolicy.objects.create(name="The board on email", touchpoint=email, requirement="role", role="board")

    def submitted(owner=proposer, named=approver, *, categories=(), **fields):
        experiment = make_experiment(owner, named, **fields)
        experiment.sensitive_categories.add(*categories)
        transition(experiment, "submit", owner)
        return experiment

    submitted()  # chat: the named approver and the chat owner (policy)
    co_written = submitted(named=p["other_approver"])
    co_written.co_authors.add(p["co_author"], p["chat_owner"])  # its chat owner slot names her: authors never wait
    submitted(categories=[personal_data])  # and a standards keeper
    half = submitted(touchpoints=("email",))  # two keepers and the board
    decide(half, p["standards_keeper"], "approve")
    decide(half, approver, "approve")
    owner_done = submitted()  # the chat owner filled the touchpoint's slot: not the backup's any more
    decide(owner_done, p["chat_owner"], "approve")
    escalated = submitted(named=p["other_approver"])  # ...unless escalated: then the named approver's
    decide(escalated, p["chat_owner"], "approve")
    ApprovalRequest.objects.filter(experiment=escalated).update(escalated_at=timezone.now())
    closed = submitted()
    decide(closed, approver, "reject", "Not now.")
    return p


def _by_the_slot_rule(user) -> list[int]:
    """The rule spelled out request by request, in Python, with approvals.slots.qualifies."""
    if not user.is_active:
        return []
    found = []
    for request in ApprovalRequest.objects.filter(status="open").order_by("opened_at", "pk"):
        if user.pk in request.experiment.authors() or request.decisions.filter(approver=user).exists():
            continue
        filled = slot_rules.filled_slot_keys(request)
        if any(s["key"] not in filled and slot_rules.qualifies(user, s, request) for s in request.required_slots):
            found.append(request.pk)
    return found


def test_the_database_rule_lists_what_the_slot_rule_finds_for_every_person(world):
    waiting = {name: waiting_ids(user) for name, user in world.items()}
    assert waiting == {name: _by_the_slot_rule(user) for name, user in world.items()}
    # Every way of waiting is exercised: by name, by role, as touchpoint owner, as escalated backup.
    for name in ("approver", "other_approver", "standards_keeper", "second_keeper", "board_member"):
        assert waiting[name], name
    for name in ("chat_owner", "chat_backup"):
        assert waiting[name], name
    assert co_written_request(world) not in waiting["chat_owner"]
    escalated = ApprovalRequest.objects.get(status="open", escalated_at__isnull=False).pk
    owner_done = ApprovalRequest.objects.get(status="open", decisions__approver=world["chat_owner"], escalated_at=None)
    assert escalated in waiting["chat_backup"] and owner_done.pk not in waiting["chat_backup"]
    assert waiting["standards_keeper"] != waiting["second_keeper"]  # the first keeper voted on email
    assert waiting["outsider"] == waiting["signal_owner"] == waiting["co_author"] == waiting["proposer"] == []


def co_written_request(people) -> int:
    return ApprovalRequest.objects.get(experiment__co_authors=people["chat_owner"], status="open").pk


def test_an_inactive_person_waits_for_nothing(world):
    approver = world["approver"]
    assert waiting_ids(approver)
    approver.is_active = False
    assert waiting_ids(approver) == [] and waiting_requests(approver).count() == 0


def test_the_badge_counts_what_the_inbox_lists_for_each_person(world, monkeypatch):
    from cadence.duties.queries import waiting_for as responses_waiting_for

    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    for name, user in world.items():
        client = https_client(user)
        listed, page = [], 1
        while True:
            response = client.get(reverse("approvals-inbox"), {"page": page})
            assert response.status_code == 200
            listed += [item.request.pk for item in response.context["items"]]
            if not response.context["page"].has_next():
                break
            page += 1
        assert listed == waiting_ids(user), name
        assert response.context["page"].paginator.count == len(listed), name
        badge = client.get(reverse("dashboard")).context["waiting_count"]
        assert badge == len(listed) + responses_waiting_for(user).count(), name
