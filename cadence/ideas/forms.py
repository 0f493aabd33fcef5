"""Forms of the idea pages and the meeting page (rendered like the proposal form: cadence.form_style)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadence.form_style import PagarFormStyle
from cadence.ideas.models import SCORE_MAX, SCORE_MIN, DecisionAction, Idea, IdeaComment, IdeaStatus, PainPoint
from experiments import roles
from experiments.models import Touchpoint


class IdeaForm(PagarFormStyle, forms.ModelForm):
    class Meta:
        model = Idea
        fields = ["title", "pain_point", "touchpoint", "segment", "hypothesis", "expected_effect"]
        labels = {
            "title": _("Title"),
            "pain_point": _("Friction / pain point"),
            "touchpoint": _("Touchpoint"),
            "segment": _("Segment"),
            "hypothesis": _("Rough hypothesis"),
            "expected_effect": _("Expected effect"),
        }
        widgets = {"hypothesis": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].empty_label = _("Choose a touchpoint")
        self.fields["segment"].empty_label = _("All customers")  # an empty segment means all customers


class CommentForm(PagarFormStyle, forms.ModelForm):
    class Meta:
        model = IdeaComment
        fields = ["body"]
        labels = {"body": _("Comment")}
        widgets = {"body": forms.Textarea(attrs={"rows": 2})}


class RatingForm(PagarFormStyle, forms.Form):
    """One whole-number field per criterion of the scoring model."""

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        for criterion in model.criteria.all():
            self.fields[criterion.key] = forms.IntegerField(
                label=criterion.label,
                min_value=SCORE_MIN,
                max_value=SCORE_MAX,
                help_text=criterion.question_text,
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


class DecisionForm(PagarFormStyle, forms.Form):
    action = forms.ChoiceField(label=_("Decision"), choices=DecisionAction.choices, widget=forms.RadioSelect)
    owner = PersonChoiceField(
        queryset=None,
        required=False,
        label=_("Owner of the proposal"),
        empty_label=_("Choose the owner"),
        help_text=_("Holds the proposer role; the draft is theirs to complete."),
    )
    parked_until = forms.DateField(
        required=False, label=_("Park until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(required=False, label=_("Reason / note"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, owner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = proposer_choices()
        if owner_choices is not None:
            # A page with one form per agenda item lists the people once, not once per form.
            self.fields["owner"].choices = owner_choices


class FollowUpsForm(PagarFormStyle, forms.Form):
    follow_ups = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label=_("Follow-ups"))


SORTS = {"score": _("Score"), "newest": _("Newest"), "votes": _("Votes")}


class BacklogFilterForm(PagarFormStyle, forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[("", _("Open (new or parked)")), ("all", _("Any status"))] + IdeaStatus.choices,
    )
    touchpoint = forms.ModelChoiceField(
        required=False,
        label=_("Touchpoint"),
        queryset=Touchpoint.objects.all(),
        to_field_name="key",
        empty_label=_("Any touchpoint"),
    )
    pain_point = forms.ChoiceField(
        required=False, choices=[("", _("Any pain point"))] + PainPoint.choices, label=_("Pain point")
    )
    sort = forms.ChoiceField(required=False, label=_("Sort by"), choices=list(SORTS.items()))
