"""Send a meeting's agenda: in-app notices (approvals.notifications.tell) and an email invitation with the .ics."""

import zoneinfo

from django.db import transaction
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cadence.calendar_events import CalendarEvent
from cadence.duties.queries import response_kind
from cadence.reviews.models import ReviewMeeting
from mailing.rendering import reading_as
from mailing.subjects import email_subject


def attendees(meeting: ReviewMeeting):
    series = meeting.series
    return [series.chair, *series.members.exclude(pk=series.chair_id)]


def meeting_uid(series, start) -> str:
    """Stable per series and local meeting day, whether or not the meeting row exists yet."""
    local = start.astimezone(zoneinfo.ZoneInfo(series.timezone))
    return f"promotion-review-{series.pk}-{local:%Y%m%d}@pagar"


def meeting_event(meeting: ReviewMeeting) -> CalendarEvent:
    series = meeting.series
    count = meeting.items.count()
    return CalendarEvent(
        uid=meeting_uid(series, meeting.starts_at),
        summary=series.name,
        start=meeting.starts_at,
        end=meeting.ends_at,
        description=ngettext("%(count)d item on the agenda.", "%(count)d items on the agenda.", count)
        % {"count": count},
        url=meeting.get_absolute_url(),
        location=series.location,
        organizer_email=series.chair.email,
        attendee_emails=tuple(sorted({u.email for u in attendees(meeting) if u.email})),
    )


def agenda_text(meeting: ReviewMeeting) -> str:
    when = formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
    lines = [f"{meeting.series.name}, {when}", ""]
    for number, item in enumerate(meeting.items.select_related("experiment", "standard"), start=1):
        lines.append(f"{number}. {item.subject_label} ({', '.join(item.reason_labels)})")
    if not meeting.items.exists():
        lines.append(_("Nothing to decide this month."))
    responses = (meeting.summary or {}).get("open_responses") or []  # cadence.duties, frozen with the agenda
    if responses:
        lines += ["", _("Open responses:")]
        lines += [f"- {response_kind(r)}: {r['title']} ({r['experiment']}), {r['owner']}" for r in responses]
    return "\n".join(lines)


def send_agenda(meeting: ReviewMeeting) -> bool:
    """Once per meeting (a conditional update claims it): False when it was sent already."""
    from approvals.notifications import Kind, tell

    with transaction.atomic():
        claimed = ReviewMeeting.objects.filter(pk=meeting.pk, agenda_sent_at__isnull=True).update(
            agenda_sent_at=timezone.now()
        )
        if not claimed:
            return False
        # Written when each notice is, in its reader's language (a lazy text, as gettext_lazy is).
        text = lazy(agenda_text, str)(meeting)
        # In-app now; the one email is the invitation below, agenda in its body and the .ics attached.
        tell(
            "review_agenda",
            attendees(meeting),
            key=f"review-agenda:{meeting.pk}",
            url=meeting.get_absolute_url(),
            kind=Kind.REVIEW_AGENDA,
            context={"meeting": str(meeting), "count": meeting.items.count(), "details": text},
            email=False,
        )
        from mailing.outbox import enqueue_message

        # One per attendee, in their language and time zone.
        for message in invitation_emails(meeting):
            enqueue_message(message, key=f"review-invitation:{meeting.pk}")
    return True


def invitation_emails(meeting: ReviewMeeting) -> list:
    """One invitation per attendee with an address, each in that person's language and time zone."""
    people = {u.pk: u for u in attendees(meeting) if u.email}
    return [invitation_email(meeting, person) for person in people.values()]


def invitation_email(meeting: ReviewMeeting, person=None):
    """The agenda with the .ics attached: to `person` in their language (mailing.rendering.reading_as),
    or (a task queued before) to every attendee."""
    if person is not None:
        with reading_as(person):
            return _invitation_email(meeting, [person.email])
    return _invitation_email(meeting, sorted({u.email for u in attendees(meeting) if u.email}))


def _invitation_email(meeting: ReviewMeeting, recipients: list[str]):
    from django.core.mail import EmailMessage

    from cadence.ics import calendar_bytes
    from mailing.links import absolute

    message = EmailMessage(
        subject=email_subject(_("Agenda and invitation"), meeting.series.name),
        body=agenda_text(meeting) + "\n\n" + _("Vote here: %(url)s") % {"url": absolute(meeting.get_absolute_url())},
        to=recipients,
    )
    message.attach(
        "invite.ics",
        calendar_bytes([meeting_event(meeting)], name=meeting.series.name, method="REQUEST"),
        "text/calendar; method=REQUEST",
    )
    return message
