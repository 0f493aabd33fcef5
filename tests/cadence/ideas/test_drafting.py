"""Drafts made from ideas in the slot (issue 16): a key cut at a word boundary, and a hypothesis that
reads as one sentence whatever the idea's rough hypothesis says, in English and in Indonesian."""

import pytest
from cadence.ideas.drafting import clause, draft_from_idea
from experiments.models import Experiment
from tests.cadence.ideas.builders import make_idea
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db

LONG_TITLE = "Offer an evening delivery window to customers who keep missing their parcels while at work"


def test_a_long_title_gives_a_key_of_whole_words(proposer, facilitator):
    idea = make_idea(proposer, LONG_TITLE)
    key = draft_from_idea(idea, proposer, facilitator).key
    assert key == "offer-an-evening-delivery-window-to-customers-who-keep"
    assert len(key) <= 60 and set(key.split("-")) <= set(LONG_TITLE.lower().split())


def test_a_taken_key_gets_a_counter_that_still_fits_at_a_word_boundary(proposer, approver, facilitator):
    taken = draft_from_idea(make_idea(proposer, LONG_TITLE), proposer, facilitator).key
    second = draft_from_idea(make_idea(proposer, LONG_TITLE), proposer, facilitator).key
    assert second == "offer-an-evening-delivery-window-to-customers-who-keep-2" and second != taken
    assert len(second) <= 60


def test_a_title_without_letters_or_the_reserved_new_still_gets_a_valid_key(proposer, facilitator):
    assert draft_from_idea(make_idea(proposer, "!!!"), proposer, facilitator).key == "idea"
    assert draft_from_idea(make_idea(proposer, "New"), proposer, facilitator).key == "new-2"


def test_the_problem_written_as_hypothesis_is_not_stitched_after_if_we(proposer, facilitator):
    """The issue's example: an idea whose rough hypothesis states the problem gave
    "If we Customers miss deliveries…"."""
    idea = make_idea(
        proposer,
        "Evening delivery slot",
        touchpoint="sms",
        pain_point="delivery",
        hypothesis="Customers miss deliveries because the courier comes while they are at work.",
        expected_effect="Missed deliveries fall by a fifth.",
    )
    sentence = draft_from_idea(idea, proposer, facilitator).hypothesis_sentence
    assert "If we Customers" not in sentence and ".." not in sentence
    assert sentence == (
        f"If we try “Evening delivery slot” (idea #{idea.pk}) for all customers at SMS, "
        "then missed deliveries fall by a fifth, because it eases delivery at SMS, as the idea puts it: "
        "“Customers miss deliveries because the courier comes while they are at work”."
    )


def test_a_segment_is_the_audience(proposer, facilitator):
    idea = make_idea(proposer, segment="business")
    draft = draft_from_idea(idea, proposer, facilitator)
    assert draft.hypothesis_audience == idea.segment.name
    assert draft.segments.get() == idea.segment


def test_the_draft_is_written_in_the_deciders_language(proposer, facilitator, indonesian):
    idea = make_idea(proposer, "Panggilan balik", touchpoint="phone")
    draft = draft_from_idea(idea, proposer, facilitator)
    assert draft.hypothesis_change == f"mencoba “Panggilan balik” (ide #{idea.pk})"
    assert draft.variants.get(is_control=True).name == "Pengalaman saat ini"


def test_clause_lowers_a_leading_capital_but_keeps_acronyms():
    assert clause("Missed deliveries fall.") == "missed deliveries fall"
    assert clause("NPS rises by 2 points") == "NPS rises by 2 points"
    assert clause("  spaced   out  ") == "spaced out"


def test_an_existing_experiment_key_is_not_reused(proposer, approver, facilitator):
    make_experiment(proposer, approver, key="callback-instead-of-queueing")
    draft = draft_from_idea(make_idea(proposer), proposer, facilitator)
    assert draft.key == "callback-instead-of-queueing-2"
    assert Experiment.objects.filter(key__startswith="callback").count() == 2
