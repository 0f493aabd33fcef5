"""Scores: ICE by default, a configurable weighted model, one editable rating per rater, the
idea's score the average over its raters."""

import pytest
from django.core.exceptions import ValidationError

from cadence.ideas.models import IdeaRating, ScoringCriterion, ScoringModel
from cadence.ideas.scoring import rate
from tests.cadence.ideas.builders import make_idea

pytestmark = pytest.mark.django_db


def test_ice_is_the_default_and_raters_are_averaged(proposer, approver, outsider):
    assert ScoringModel.current().name == "ICE"
    idea = make_idea(proposer)
    rate(idea, approver, {"impact": 9, "confidence": 6, "ease": 3})  # 6.0
    rate(idea, outsider, {"impact": "4", "confidence": "4", "ease": "4"})  # 4.0
    idea.refresh_from_db()
    assert idea.score == pytest.approx(5.0)
    assert idea.rating_count == 2


def test_a_rater_edits_their_rating_instead_of_adding_one(proposer, approver):
    idea = make_idea(proposer)
    rate(idea, approver, {"impact": 2, "confidence": 2, "ease": 2})
    rate(idea, approver, {"impact": 8, "confidence": 8, "ease": 5})
    idea.refresh_from_db()
    assert IdeaRating.objects.filter(idea=idea).count() == 1
    assert idea.score == pytest.approx(7.0)


def test_a_custom_weighted_model_in_the_admin_drives_new_ratings(proposer, approver):
    custom = ScoringModel.objects.create(name="Reach-weighted", is_default=True)
    ScoringCriterion.objects.create(model=custom, key="reach", name="Reach", weight=3)
    ScoringCriterion.objects.create(model=custom, key="ease", name="Ease", weight=1)
    assert ScoringModel.current() == custom
    assert not ScoringModel.objects.get(name="ICE").is_default  # one default at a time
    idea = make_idea(proposer)
    rating = rate(idea, approver, {"reach": 8, "ease": 4})
    assert rating.model == custom
    assert rating.score == pytest.approx((3 * 8 + 1 * 4) / 4)


def test_pie_can_be_chosen(proposer, approver):
    pie = ScoringModel.objects.get(name="PIE")
    pie.is_default = True
    pie.save()
    rating = rate(make_idea(proposer), approver, {"potential": 10, "importance": 5, "ease": 6})
    assert rating.score == pytest.approx(7.0)


@pytest.mark.parametrize(
    "values, field, words",
    [
        ({"impact": 11, "confidence": 5, "ease": 5}, "impact", "outside 1 to 10"),
        ({"impact": 0, "confidence": 5, "ease": 5}, "impact", "outside 1 to 10"),
        ({"impact": 5, "confidence": 5}, "ease", "give a score"),
        ({"impact": 5.5, "confidence": 5, "ease": 5}, "impact", "whole number"),
        ({"impact": "high", "confidence": 5, "ease": 5}, "impact", "whole number"),
        ({"impact": True, "confidence": 5, "ease": 5}, "impact", "whole number"),
        ({"impact": 5, "confidence": 5, "ease": 5, "reach": 5}, "values", "Not criteria"),
    ],
)
def test_bad_values_name_the_criterion(proposer, approver, values, field, words):
    idea = make_idea(proposer)
    with pytest.raises(ValidationError) as refused:
        rate(idea, approver, values)
    assert words in refused.value.message_dict[field][0]
    idea.refresh_from_db()
    assert idea.score is None and not IdeaRating.objects.exists()
