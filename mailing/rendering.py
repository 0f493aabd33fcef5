"""Emails and in-app notices rendered from templates/mail/, in the recipient's language.

Each event has three templates: `<event>_subject.txt` (one line: who did what, to which
experiment), `<event>.txt` and `<event>.html` (extending mail/base.txt and mail/base.html, which
add the greeting, the details, what to do next with its absolute link, and the preferences link).
The in-app notice is the text template's short form: the summary and the next step.
"""

import contextlib
from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from mailing.language import language_for, time_zone_for
from mailing.links import absolute
from mailing.subjects import email_subject, one_line


@dataclass(frozen=True)
class RenderedNotice:
    subject: str  # "[Pagar] …", one line
    notice: str  # the in-app text: summary and next step
    text: str
    html: str


def render_text(name: str, context: dict) -> str:
    """A plain-text template: nothing HTML-escaped (a title with "&" reads as typed)."""
    return get_template(name).template.render(Context(context, autoescape=False))


def display_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


@contextlib.contextmanager
def reading_as(user):
    """Whatever is written inside is written for `user`: in their language and time zone
    (mailing.language; the site's for nobody). Every email to one person is built inside it."""
    with translation.override(language_for(user)), timezone.override(time_zone_for(user)):
        yield


def render_notice(event: str, context: dict, user) -> RenderedNotice:
    """The event's email and notice for `user`, in their language and time zone, every link absolute."""
    with reading_as(user):
        values = {
            **context,
            "recipient_name": display_name(user),
            "action_url": absolute(context.get("action_url", "")),
            "preferences_url": absolute(reverse("notification-preferences")),
            "site_url": settings.SITE_URL,
        }
        values["summary"] = one_line(render_text(f"mail/{event}_subject.txt", values)).rstrip(".")
        return RenderedNotice(
            subject=email_subject(values["summary"]),
            notice=one_line(render_text(f"mail/{event}.txt", {**values, "short": True})),
            text=render_text(f"mail/{event}.txt", values).strip() + "\n",
            html=render_to_string(f"mail/{event}.html", values),
        )
