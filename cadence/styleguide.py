"""/style/: the style guide, every shared component with a live example and the markup to copy."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _


class ExampleForm(forms.Form):
    """A form shown bound to bad input, so the page shows fields with hints and errors."""

    title = forms.CharField(label=_("Title"), help_text=_("Say what changes, in a few words."))
    touchpoint = forms.ChoiceField(
        label=_("Touchpoint"), choices=[("", "---------"), ("chat", _("Chat")), ("sms", _("SMS"))]
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("web", _("Web")), ("app", _("App"))],
        widget=forms.RadioSelect,
        initial="web",
    )
    notify = forms.BooleanField(label=_("Tell the approvers now"), required=False)


# (anchor, heading, when to use it): each example is templates/styleguide/examples/<anchor>.html,
# shown live and as its own source, so the markup on the page is the markup that renders.
COMPONENTS = [
    ("page-head", _("Page head and cards"), _("The title with the page's one main action; content in cards.")),
    ("buttons", _("Buttons"), _("One primary button per form; secondary to go back; danger when it cannot be undone.")),
    ("form-fields", _("Form fields"), _("Every field via as_field_group: label without colon, hint, error, input.")),
    ("error-summary", _("Error summary"), _("First in the form when anything is wrong; each line links to its field.")),
    ("table", _("Tables"), _("With a header row; on a phone each row becomes a card of labelled values.")),
    ("tags", _("Tags"), _("Badges for a lifecycle status, chips for kinds and roles.")),
    ("notices", _("Notices"), _("Messages after an action, a notice card for a standing caution, the status banner.")),
    ("pagination", _("Pagination"), _("Previous and next, keeping the filters in the address.")),
]


def component_examples():
    return [
        {
            "anchor": anchor,
            "heading": heading,
            "usage": usage,
            "template": f"styleguide/examples/{anchor.replace('-', '_')}.html",
            "source": get_template(f"styleguide/examples/{anchor.replace('-', '_')}.html").template.source.strip(),
        }
        for anchor, heading, usage in COMPONENTS
    ]


@login_required
def styleguide(request):
    example_form = ExampleForm(data={"title": "", "touchpoint": "", "channel": "web"})
    example_form.is_valid()  # fills the errors the page shows; nothing is saved
    page = Paginator(range(60), 20).get_page(request.GET.get("page", 2))
    return render(
        request,
        "styleguide/index.html",
        {
            "components": component_examples(),
            "example_form": example_form,
            "page": page,
            "example_errors": [("id_title", _("Enter a title")), ("", _("The plan needs at least two variants"))],
        },
    )
