"""Forms of the idea pages and the meeting page."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from cadence.ideas.models import SCORE_MAX, SCORE_MIN, DecisionAction, Idea, IdeaComment, IdeaStatus, PainPoint
from experiments import roles
from experiments.models import Touchpoint


class IdeaForm(forms.ModelForm):
    class Meta:
        model = Idea
        fields = ["title", "pain_point", "touchpoint", "segment", "hypothesis", "expected_effect"]
        widgets = {"hypothesis": forms.Textarea(attrs={"rows": 3})}


class CommentForm(forms.ModelForm):
    class Meta:
        model = IdeaComment
        fields = ["body"]
        labels = {"body": "Comment"}
        widgets = {"body": forms.Textarea(attrs={"rows": 2})}


class RatingForm(forms.Form):
    """One whole-number field per criterion of the scoring model."""

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        for criterion in model.criteria.all():
            self.fields[criterion.key] = forms.IntegerField(
                label=criterion.name,
                min_value=SCORE_MIN,
                max_value=SCORE_MAX,
                help_text=criterion.question,
                widget=forms.NumberInput(attrs={"min": SCORE_MIN, "max": SCORE_MAX, "step": 1}),
            )


def proposer_choices():
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=roles.PROPOSER) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=DecisionAction.choices, widget=forms.RadioSelect)
    owner = PersonChoiceField(
        queryset=None,
        required=False,
        label="Owner of the proposal",
        help_text="Holds the proposer role; the draft is theirs to complete.",
    )
    parked_until = forms.DateField(required=False, label="Park until", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(required=False, label="Reason / note", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, owner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = proposer_choices()
        if owner_choices is not None:
            # A page with one form per agenda item lists the people once, not once per form.
            self.fields["owner"].choices = owner_choices


class FollowUpsForm(forms.Form):
    follow_ups = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Follow-ups")


SORTS = {"score": "Score", "newest": "Newest", "votes": "Votes"}


class BacklogFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    status = forms.ChoiceField(
        required=False, choices=[("", "Open (new or parked)"), ("all", "Any status")] + IdeaStatus.choices
    )
    touchpoint = forms.ModelChoiceField(
        required=False, queryset=Touchpoint.objects.all(), to_field_name="key", empty_label="Any touchpoint"
    )
    pain_point = forms.ChoiceField(
        required=False, choices=[("", "Any pain point")] + PainPoint.choices, label="Pain point"
    )
    sort = forms.ChoiceField(required=False, choices=list(SORTS.items()))
