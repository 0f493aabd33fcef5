from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadence.form_style import PagarFormStyle
from cadence.reviews.models import EXPERIMENT_DECISIONS, STANDARD_DECISIONS, AgendaItem, Decision, Vote
from experiments import roles


class VoteForm(PagarFormStyle, forms.Form):
    choice = forms.ChoiceField(choices=Vote.Choice.choices, widget=forms.RadioSelect, label=_("Your vote"))
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment"))


def keepers():
    return (
        get_user_model()
        .objects.filter(groups__name=roles.STANDARDS_KEEPER, is_active=True)
        .order_by("first_name", "username")
    )


class DecisionForm(PagarFormStyle, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    statement = forms.CharField(
        required=False,
        label=_("Statement"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The practice people should follow (promote, revise)."),
    )
    keeper = forms.ModelChoiceField(queryset=None, required=False, label=_("Standards keeper (owner)"))
    rereview_date = forms.DateField(
        required=False,
        label=_("Re-review date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: 12 months from today."),
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Note for the minutes"))
    lesson = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("What we learned"),
        help_text=_("Decline or rerun: what the experiment taught us (optional); kept as its lesson."),
    )

    def __init__(self, *args, item: AgendaItem, keeper_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = EXPERIMENT_DECISIONS if item.kind == AgendaItem.Kind.EXPERIMENT else STANDARD_DECISIONS
        self.fields["decision"].choices = [(k.value, Decision.Kind(k).label) for k in kinds]
        self.fields["keeper"].queryset = keepers()
        self.fields["keeper"].empty_label = _("Choose the keeper")
        self.fields["keeper"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        if keeper_choices is not None:
            self.fields["keeper"].choices = keeper_choices  # a page of items lists the keepers once
        if item.kind == AgendaItem.Kind.STANDARD:
            del self.fields["keeper"]
            del self.fields["lesson"]
            self.initial.setdefault("statement", item.standard.statement)
        elif item.experiment_id:
            self.initial.setdefault(
                "statement", item.experiment.hypothesis_change[:1].upper() + item.experiment.hypothesis_change[1:]
            )


class AttendanceForm(PagarFormStyle, forms.Form):
    """The chair marks board members present (those who vote count as present anyway)."""

    members = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label=_("Present"),
        help_text=_("Members who voted count as present already. A mark is recorded with your name and kept."),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        series = meeting.series
        board = get_user_model().objects.filter(Q(pk=series.chair_id) | Q(review_series=series)).distinct()
        self.fields["members"].queryset = board.order_by("first_name", "username")
        self.fields["members"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.initial.setdefault("members", list(meeting.attendance.values_list("member_id", flat=True)))
