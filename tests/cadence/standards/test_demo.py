"""The demo shows a standard on the form where the demo proposer proposes."""

import io

import pytest
from django.core.management import call_command
from django.contrib.auth import get_user_model
from django.urls import reverse

from cadence.standards.models import Standard
from experiments.models import Experiment
from tests.experiments.web import https_client

pytestmark = [pytest.mark.django_db, pytest.mark.approvals]


def test_the_demo_proposer_sees_a_standard_on_the_chat_form_and_the_ai_proposal_meets_the_policy():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    standard = Standard.objects.get()
    assert {t.key for t in standard.touchpoints.all()} == {"app", "chat"}
    priya = get_user_model().objects.get(username="priya")
    html = https_client(priya).get(reverse("experiment-edit", kwargs={"key": "chat-greeting-short"})).content.decode()
    assert standard.statement in html and standard.get_absolute_url() in html
    ai = Experiment.objects.get(key="ai-chat-summary")
    assert ai.status == "changes_requested" and ai.human_fallback
