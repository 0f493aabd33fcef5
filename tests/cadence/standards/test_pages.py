"""Standards where people propose and decide: the form, the approver's card, the ideas slot, the
experiment page; the standard's page lists the experiments citing it."""

import pytest
from django.urls import reverse

from cadence.ideas.agenda import build_agenda, next_meeting
from cadence.standards.models import Citation
from experiments.models import Experiment
from experiments.lifecycle import transition
from tests.approvals.web import evidence_text, open_request
from tests.cadence.ideas.builders import make_idea, make_series
from tests.experiments.web import form_data_of, https_client, text_of
from tests.factories import make_experiment, make_user

pytestmark = pytest.mark.django_db


def page_text(user, url):
    response = https_client(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_proposal_form_shows_the_standard_on_its_touchpoint_with_a_link(chat_standard, proposer, approver):
    draft = make_experiment(proposer, approver, segments=("new-customers",))
    html = page_text(proposer, reverse("experiment-edit", kwargs={"key": draft.key}))
    assert chat_standard.get_absolute_url() in html and chat_standard.statement in html
    assert "This proposal may re-test it: same scope and success metric." in text_of(html)


def test_a_new_proposal_form_refreshes_its_list_from_the_api(chat_standard, proposer):
    html = page_text(proposer, reverse("experiment-create"))
    assert 'data-live-url="/api/standards/relevant/"' in html and "js/standards_in_force.js" in html


def test_the_form_declares_a_retest_and_the_standard_page_lists_the_experiment(
    chat_standard, proposer, approver, outsider
):
    draft = make_experiment(proposer, approver, touchpoints=("phone",))
    data = form_data_of(draft) | {"retests_standards_shown": "1", "retests_standards": [str(chat_standard.pk)]}
    response = https_client(proposer).post(reverse("experiment-edit", kwargs={"key": draft.key}), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Citation.objects.filter(experiment=draft, standard=chat_standard, kind="retests").exists()
    transition(draft, "submit", proposer)  # visible past draft
    page = text_of(page_text(outsider, chat_standard.get_absolute_url()))
    assert f"{draft.key} {draft.title} — re-tests this standard" in page


def test_a_form_saved_without_the_panel_keeps_the_declaration(chat_standard, proposer, approver):
    from cadence.standards.citations import declare_retests

    draft = make_experiment(proposer, approver)
    declare_retests(draft, [chat_standard.pk], proposer)
    https_client(proposer).post(reverse("experiment-edit", kwargs={"key": draft.key}), form_data_of(draft))
    assert Citation.objects.filter(experiment=draft, kind="retests").exists()


def test_the_approver_sees_the_standard_and_the_declared_retest_on_the_card(chat_standard, proposer, approver):
    from cadence.standards.citations import declare_retests

    experiment = make_experiment(proposer, approver)
    declare_retests(experiment, [chat_standard.pk], proposer)
    transition(experiment, "submit", proposer)
    card = page_text(approver, reverse("approvals-inbox"))
    assert chat_standard.get_absolute_url() in card  # its code among the card's facts
    text = evidence_text(approver, open_request(experiment))  # the evidence in full, as the card opens it
    assert chat_standard.statement in text
    assert "This proposal re-tests it (declared by its authors)." in text


def test_the_experiment_page_shows_the_standards_in_force(chat_standard, proposer, approver):
    experiment = make_experiment(proposer, approver, touchpoints=("chat", "email"))
    html = page_text(proposer, experiment.get_absolute_url())
    assert 'id="standards-in-force"' in html and chat_standard.get_absolute_url() in html


def test_the_ideas_slot_shows_the_standard_on_the_ideas_touchpoint(chat_standard, proposer, approver):
    facilitator = make_user("fay_facilitator")
    series = make_series(facilitator, proposer, approver)
    chat_idea = make_idea(approver, "Greet faster", touchpoint="chat")
    phone_idea = make_idea(approver, "Callback", touchpoint="phone")
    meeting = next_meeting(series)
    client = https_client(facilitator)
    client.post(f"/ideas/slot/{meeting.pk}/open-early/")
    build_agenda(meeting)
    html = client.get(meeting.get_absolute_url()).content.decode()
    chat_part = html[html.index(f'id="idea-{chat_idea.pk}"') :]
    phone_part = html[html.index(f'id="idea-{phone_idea.pk}"') :]
    chat_part = chat_part[: chat_part.index("Record decision")]
    phone_part = phone_part[: phone_part.index("Record decision")]
    assert chat_standard.statement in chat_part and chat_standard.statement not in phone_part


def test_a_standard_page_starts_a_proposal_from_it(chat_standard, proposer):
    standard, source = chat_standard, chat_standard.supporting_experiments.get()
    assert (
        "Start a proposal from this standard"
        in https_client(proposer).get(standard.get_absolute_url()).content.decode()
    )
    response = https_client(proposer).post(reverse("standard-start-from", kwargs={"pk": standard.pk}))
    draft = Experiment.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302 and draft.owner == proposer
    detail = text_of(https_client(proposer).get(draft.get_absolute_url()).content.decode())
    assert f"Started from {standard.code}" in detail
