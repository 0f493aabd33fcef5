"""Everyone who gets new work is told, with a link straight to it: the owner of a draft made in
the ideas slot, an idea's author when someone comments, a response owner when a check stops an
experiment."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from approvals.models import Notification
from cadence.duties.models import ResponseItem
from cadence.ideas.agenda import build_agenda, next_meeting
from cadence.ideas.decisions import decide, open_early
from experiments.live.monitoring import run_check
from mailing import outbox
from tests.cadence.duties.conftest import D0, HARMFUL, chat_owner, experiment, on, responder  # noqa: F401
from tests.cadence.ideas.builders import make_idea, make_series
from tests.experiments.live.test_monitoring_data import quiet, write_rates  # noqa: F401
from tests.experiments.web import https_client
from tests.factories import make_user
from tests.mailing.links import action_link, mails_to, open_link

pytestmark = [pytest.mark.django_db, pytest.mark.approvals]


def test_the_owner_of_a_draft_made_in_the_ideas_slot_is_told_and_lands_on_the_draft(
    proposer, approver, django_capture_on_commit_callbacks
):
    facilitator = make_user("fay_facilitator")
    meeting = open_early(next_meeting(make_series(facilitator, proposer, approver)), facilitator)
    idea = make_idea(approver, "Callback instead of queueing")
    build_agenda(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(meeting, idea, facilitator, "propose", owner=proposer)
    draft = decision.experiment
    [email] = mails_to(mail.outbox, proposer)
    assert email.subject == (
        f"[Pagar] Fay Facilitator made you the owner of the draft “{draft.title}” ({draft.key}), "
        "from the idea “Callback instead of queueing”"
    )
    assert "What to do next: Complete the draft and submit it for approval." in email.body
    page = open_link(https_client(proposer), action_link(email))
    assert page.status_code == 200 and page.resolver_match.url_name == "experiment-edit"
    assert Notification.objects.filter(user=proposer, experiment=draft).count() == 1


def test_a_comment_on_an_idea_tells_its_author_with_a_link_to_the_comments(
    proposer, approver, django_capture_on_commit_callbacks
):
    idea = make_idea(approver, "Callback instead of queueing")
    with django_capture_on_commit_callbacks(execute=True):
        https_client(proposer).post(reverse("idea-comment", args=[idea.pk]), {"body": "Which queue first?"})
    [email] = mails_to(mail.outbox, approver)
    assert email.subject == "[Pagar] Priya Proposer commented on your idea “Callback instead of queueing”"
    assert "Which queue first?" in email.body
    page = open_link(https_client(approver), action_link(email))
    assert page.status_code == 200 and page.resolver_match.url_name == "idea-detail"


def test_the_response_owner_is_told_and_lands_on_the_response_item(
    experiment,  # noqa: F811
    responder,  # noqa: F811
):
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, HARMFUL)
    thursday = D0 + dt.timedelta(days=3)
    with on(thursday):
        run_check(experiment.pk, thursday)
        outbox.deliver_pending()  # as the worker does after commit
    item = ResponseItem.objects.get()
    [email] = [m for m in mails_to(mail.outbox, responder) if "response owner" in m.subject]
    assert f"“{experiment.title}” ({experiment.key})" in email.subject
    assert "What to do next: Respond by" in email.body
    link = action_link(email)
    assert link.endswith(item.get_absolute_url())
    page = open_link(https_client(responder), link)
    assert page.status_code == 200 and page.resolver_match.url_name == "response-detail"
