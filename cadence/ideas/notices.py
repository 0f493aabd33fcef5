"""What the slot sends: the agenda before it (in-app + email with an .ics invitation) and the
minutes after it (in-app + email). Each is sent once per meeting, whatever beat or retries do."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from approvals.models import Notification
from approvals.notifications import tell
from mailing.outbox import enqueue_message
from cadence.calendar_events import CalendarEvent
from cadence.ics import calendar_bytes
from cadence.ideas.models import SlotMeeting
from mailing.links import absolute
from mailing.rendering import reading_as
from mailing.subjects import email_subject

log = logging.getLogger(__name__)


def participants(meeting: SlotMeeting) -> list:
    series = meeting.series
    people = {series.facilitator.pk: series.facilitator}
    people.update({u.pk: u for u in series.attendees.all()})
    return [u for u in people.values() if u.is_active]


def meeting_uid(series_id: int, starts_at) -> str:
    return f"ideas-slot-{series_id}-{starts_at.astimezone(dt.UTC):%Y%m%dT%H%MZ}@pagar"


def meeting_event(meeting: SlotMeeting, *, description: str = "") -> CalendarEvent:
    series = meeting.series
    return CalendarEvent(
        uid=meeting_uid(series.pk, meeting.starts_at),
        summary=_("Ideas slot: %(name)s") % {"name": series.name},
        start=meeting.starts_at,
        end=meeting.ends_at,
        description=description,
        url=meeting.get_absolute_url(),
        location=series.location,
        organizer_email=series.facilitator.email,
        attendee_emails=tuple(sorted({u.email for u in series.attendees.all() if u.email})),
    )


def agenda_text(meeting: SlotMeeting) -> str:
    local = meeting.starts_at.astimezone(meeting.series.tz)
    lines = [
        _("Agenda of %(name)s, %(when)s (%(timezone)s):")
        % {"name": meeting.series.name, "when": _when(local), "timezone": meeting.series.timezone},
        "",
    ]
    items = list(meeting.agenda.select_related("idea", "idea__touchpoint"))
    for number, item in enumerate(items, 1):
        idea = item.idea
        score = (
            _("score %(score)s") % {"score": formats.number_format(idea.score, 1)}
            if idea.score is not None
            else _("not rated yet")
        )
        lines.append(
            f"{number}. {idea.title} [{idea.touchpoint.name}; {idea.get_pain_point_display()}; {score}] "
            f"- {item.get_reason_display()}"
        )
    if not items:
        lines.append(_("No ideas are waiting: the backlog is empty."))
    return "\n".join(lines)


def send_agenda(meeting: SlotMeeting) -> bool:
    """In-app notices now, the invitation email after commit; False if it was already sent."""
    with transaction.atomic():
        meeting = (
            SlotMeeting.objects.select_for_update(of=("self",)).select_related("series__facilitator").get(pk=meeting.pk)
        )
        if meeting.agenda_sent_at is not None:
            return False
        meeting.agenda_sent_at = timezone.now()
        meeting.save(update_fields=["agenda_sent_at"])
        people = participants(meeting)
        count = meeting.agenda.count()
        # The in-app notice and its preferences as for every event; the email is our own, with the
        # invitation attached, so each person gets one email, not two.
        tell(
            "slot_agenda",
            people,
            key=f"slot-agenda:{meeting.pk}",
            url=meeting.get_absolute_url(),
            kind=Notification.Kind.SLOT_AGENDA,
            context={"meeting": str(meeting), "count": count},
            email=False,
        )
        # In the outbox with the agenda: sent after commit, once per participant, in their language.
        for email in agenda_emails(meeting):
            enqueue_message(email, key=f"slot-invitation:{meeting.pk}")
    return True


def agenda_emails(meeting: SlotMeeting) -> list:
    """One agenda email per participant with an address, each in that person's language and time zone."""
    return [agenda_email(meeting, person) for person in participants(meeting) if person.email]


def agenda_email(meeting: SlotMeeting, person=None):
    """The agenda email with the meeting's .ics invitation (METHOD:REQUEST) attached: to `person`
    in their language (mailing.rendering.reading_as), or (a task queued before) to every participant."""
    if person is not None:
        with reading_as(person):
            return _agenda_email(meeting, [person.email])
    return _agenda_email(meeting, sorted({u.email for u in participants(meeting) if u.email}))


def _agenda_email(meeting: SlotMeeting, to: list[str]):
    from django.core.mail import EmailMessage

    body = agenda_text(meeting) + "\n\n" + _("Meeting page: %(url)s") % {"url": absolute(meeting.get_absolute_url())}
    email = EmailMessage(subject=email_subject(_("Ideas slot agenda"), meeting), body=body, to=to)
    invitation = calendar_bytes(
        [meeting_event(meeting, description=agenda_text(meeting))],
        name=_("Ideas slot: %(name)s") % {"name": meeting.series.name},
        method="REQUEST",
    )
    email.attach("invitation.ics", invitation, "text/calendar; method=REQUEST; charset=utf-8")
    return email


def minutes_text(meeting: SlotMeeting) -> str:
    local = meeting.starts_at.astimezone(meeting.series.tz)
    lines = [
        _("Minutes of %(name)s, %(when)s") % {"name": meeting.series.name, "when": _when(local)},
        "",
        _("Decisions:"),
    ]
    decisions = list(meeting.decisions.select_related("idea", "owner", "experiment", "decided_by"))
    for d in decisions:
        if d.action == "propose":
            detail = _("turned into a proposal, owner %(owner)s") % {"owner": _name(d.owner)}
            if d.experiment is not None:
                detail += " " + _("(draft %(key)s)") % {"key": d.experiment.key}
        elif d.action == "park":
            detail = _("parked until %(date)s") % {"date": formats.date_format(d.parked_until, "DATE_FORMAT")}
        else:
            detail = _("declined: %(reason)s") % {"reason": d.reason}
        if d.wip_warning:
            detail += " - " + _("WIP warning: %(warning)s") % {"warning": d.wip_warning}
        lines.append(f"- {d.idea.title}: {detail}")
    if not decisions:
        lines.append("- " + _("none"))
    undecided = [
        i.idea.title for i in meeting.agenda.select_related("idea") if i.idea_id not in {d.idea_id for d in decisions}
    ]
    if undecided:
        lines += ["", _("Not decided (stay in the backlog):")] + [f"- {t}" for t in undecided]
    lines += ["", _("Follow-ups:"), meeting.follow_ups.strip() or "- " + _("none")]
    return "\n".join(lines)


def _when(local) -> str:
    """A meeting's local start in the reader's language and date format."""
    return formats.date_format(local, "DATETIME_FORMAT")


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "-"


def send_minutes(meeting: SlotMeeting) -> None:
    """Minutes to the participants and the owners of the new proposals (in-app + email)."""
    people = {u.pk: u for u in participants(meeting)}
    for d in meeting.decisions.select_related("owner"):
        if d.owner is not None:
            people[d.owner.pk] = d.owner
    tell(
        "slot_minutes",
        people.values(),
        key=f"slot-minutes:{meeting.pk}",
        url=meeting.get_absolute_url(),
        kind=Notification.Kind.SLOT_MINUTES,
        context={"meeting": str(meeting), "details": minutes_text(meeting)},
    )
