"""Every email says who, what, which experiment and what to do next, with an absolute link that
opens the page where its recipient acts; each person is told once per event, on the channels they
chose."""

import pytest
from django.core import mail
from django.urls import reverse

from approvals.models import Notification
from approvals.notifications import tell
from approvals.services import decide
from experiments.lifecycle import transition
from mailing.models import NotificationPreference, Outbox
from tests.experiments.web import https_client
from tests.factories import make_experiment
from tests.mailing.links import action_link, mails_to, open_link

pytestmark = [pytest.mark.django_db, pytest.mark.approvals]


@pytest.fixture
def submitted(proposer, approver, co_author, django_capture_on_commit_callbacks):
    experiment = make_experiment(proposer, approver)
    experiment.co_authors.add(co_author)
    with django_capture_on_commit_callbacks(execute=True):
        transition(experiment, "submit", proposer)
    return experiment


def test_the_approver_email_names_who_what_which_and_links_to_the_decision(submitted, approver, proposer):
    [email] = mails_to(mail.outbox, approver)
    request = submitted.approval_requests.get()
    assert email.subject == f"[Pagar] Priya Proposer asks you to approve “{submitted.title}” ({submitted.key})"
    assert "What to do next: Read the proposal, then approve it, reject it or ask for changes." in email.body
    link = action_link(email)
    assert link.endswith(f"/experiments/{submitted.key}/#approval-request-{request.pk}")
    page = open_link(https_client(approver), link)
    assert page.status_code == 200 and page.resolver_match.url_name == "experiment-detail"
    assert f'id="approval-request-{request.pk}"' in page.text and f'id="decide-{request.pk}"' in page.text
    # The in-app notice says the same, and links to the same place.
    [notice] = Notification.objects.filter(user=approver)
    assert notice.message.startswith("Priya Proposer asks you to approve") and "What to do next:" in notice.message
    assert notice.link == f"/experiments/{submitted.key}/#approval-request-{request.pk}"


def test_changes_requested_says_who_asked_what_and_links_to_the_form(
    submitted, approver, proposer, co_author, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(submitted, approver, "request_changes", "Name the segment.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([proposer.email, co_author.email])
    email = mails_to(mail.outbox, proposer)[0]
    assert email.subject == f"[Pagar] Alex Approver asked for changes to “{submitted.title}” ({submitted.key})"
    assert "Name the segment." in email.body
    assert "requested changes the proposal" not in email.body
    page = open_link(https_client(proposer), action_link(email))
    assert page.status_code == 200 and page.resolver_match.url_name == "experiment-edit"
    notice = Notification.objects.get(user=proposer, kind="changes_requested")
    assert "Alex Approver asked for changes to" in notice.message and "Name the segment." in notice.message


def test_an_approval_links_the_authors_to_the_experiment(
    submitted, approver, proposer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(submitted, approver, "approve")
    email = mails_to(mail.outbox, proposer)[0]
    assert email.subject == f"[Pagar] Alex Approver approved “{submitted.title}” ({submitted.key})"
    page = open_link(https_client(proposer), action_link(email))
    assert page.status_code == 200 and page.resolver_match.url_name == "experiment-detail"


def test_a_monitoring_stop_links_everyone_to_the_experiment(proposer, approver, django_capture_on_commit_callbacks):
    from approvals.notifications import notify

    experiment = make_experiment(proposer, approver)
    with django_capture_on_commit_callbacks(execute=True):
        notify("stopped", experiment, [proposer], "Complaints rose 4 points.", key="stopped:check:1")
    [email] = mail.outbox
    assert email.subject == f"[Pagar] The daily check stopped “{experiment.title}” ({experiment.key})"
    assert "Complaints rose 4 points." in email.body
    page = open_link(https_client(proposer), action_link(email))
    assert page.status_code == 200 and page.resolver_match.url_name == "experiment-detail"


def test_one_notice_and_one_email_per_event_and_person(proposer, approver, django_capture_on_commit_callbacks):
    experiment = make_experiment(proposer, approver)
    for _ in range(3):  # a retried task, a second beat
        with django_capture_on_commit_callbacks(execute=True):
            tell("started", [proposer, proposer], key="started:x", url="/", experiment=experiment)
    assert Notification.objects.filter(user=proposer).count() == 1
    assert Outbox.objects.filter(kind="email").count() == 1 and len(mail.outbox) == 1


def test_email_off_means_in_app_only(proposer, approver, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=proposer, email=False)
    experiment = make_experiment(proposer, approver)
    with django_capture_on_commit_callbacks(execute=True):
        tell("started", [proposer, approver], key="started:y", url="/", experiment=experiment)
    assert [m.to for m in mail.outbox] == [[approver.email]]
    assert Notification.objects.filter(user=proposer).count() == 1


def test_in_app_off_means_email_only_and_still_once(proposer, approver, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=proposer, in_app=False)
    experiment = make_experiment(proposer, approver)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            tell("started", [proposer], key="started:z", url="/", experiment=experiment)
    assert not Notification.objects.filter(user=proposer).exists()
    assert [m.to for m in mail.outbox] == [[proposer.email]]  # the outbox's key keeps it to one


def test_the_preferences_page_saves_your_own_channels(proposer, approver):
    client = https_client(proposer)
    page = client.get(reverse("notification-preferences"))
    assert page.status_code == 200 and 'name="digest"' in page.text
    assert reverse("notification-preferences") in client.get(reverse("approvals-notifications")).text
    saved = client.post(reverse("notification-preferences"), {"in_app": "on"})
    assert saved.status_code == 302
    mine = NotificationPreference.objects.get(user=proposer)
    assert (mine.email, mine.in_app, mine.digest) == (False, True, False)
    assert not NotificationPreference.objects.filter(user=approver).exists()


def test_the_preferences_page_needs_a_sign_in():
    page = https_client().get(reverse("notification-preferences"))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_every_event_has_its_templates_and_reads_well():
    """Each event renders (subject, text, HTML, notice) without a missing variable showing."""
    from pathlib import Path

    from django.conf import settings

    from mailing.rendering import render_notice

    events = sorted(
        p.name.removesuffix("_subject.txt") for p in Path(settings.BASE_DIR, "templates/mail").glob("*_subject.txt")
    )
    assert len(events) >= 20
    context = {
        "actor": "Alex",
        "title": "Callback",
        "key": "callback",
        "waited": 3,
        "kind": "Data error",
        "owner": "Rosa",
        "idea_title": "Callback",
        "original_title": "Chat",
        "original_key": "chat",
        "meeting": "Weekly slot",
        "count": 2,
        "code": "S-1",
        "what": "keep",
        "message": "Soon.",
        "action_url": "/x/",
    }
    for event in events:
        rendered = render_notice(event, context, None)
        for text in (rendered.subject, rendered.notice, rendered.text):
            assert "  " not in text.strip().replace("\n\n", "\n"), (event, text)
            assert "None" not in text, (event, text)
        assert "http://127.0.0.1:8000/x/" in rendered.text and 'href="http://127.0.0.1:8000/x/"' in rendered.html
        assert "What to do next:" in rendered.notice, event


def test_the_api_shows_and_changes_only_your_own_preferences(proposer, approver):
    from tests.experiments.api.conftest import HttpsAPIClient

    url = "/api/approvals/notifications/preferences/"
    client = HttpsAPIClient()
    assert client.get(url).status_code in (401, 403)
    client.force_login(proposer)
    assert client.get(url).json() == {"email": True, "in_app": True, "digest": True}
    changed = client.patch(url, {"digest": False}, format="json")
    assert changed.status_code == 200 and changed.json() == {"email": True, "in_app": True, "digest": False}
    assert client.patch(url, {"email": "sometimes"}, format="json").status_code == 400
    # The document says boolean: 0 is refused naming the field, not read as false.
    refused = client.patch(url, {"digest": 0}, format="json")
    assert refused.status_code == 400 and "digest" in str(refused.json())
    assert NotificationPreference.objects.get(user=proposer).digest is False
    assert NotificationPreference.objects.get(user=proposer).digest is False
    assert not NotificationPreference.objects.filter(user=approver).exists()


@pytest.mark.parametrize("digest", [True, False])
def test_the_daily_digest_follows_the_preference(signal_owner, proposer, approver, digest):
    from approvals.digest import send_digest
    from experiments.lifecycle import transition as move

    NotificationPreference.objects.create(user=signal_owner, digest=digest)
    experiment = make_experiment(proposer, approver)
    move(experiment, "submit", proposer)
    decide(experiment, approver, "approve")
    move(experiment, "start", None)
    assert send_digest() == (1 if digest else 0)
    assert Notification.objects.filter(kind="digest", user=signal_owner).exists() is digest
    if digest:
        [row] = Outbox.objects.filter(payload__to=[signal_owner.email], dedupe_key__startswith="digest:")
        link = f"http://127.0.0.1:8000/experiments/{experiment.key}/"
        assert link in row.payload["body"] and f'href="{link}"' in row.payload["html"]


def test_each_person_reads_it_in_their_own_language(monkeypatch, proposer):
    """rendering asks language_for(user), the one place that knows a person's language."""
    from mailing import rendering

    monkeypatch.setattr(rendering, "language_for", lambda user: "id" if user == proposer else "en")
    context = {"actor": "Alex", "title": "Callback", "key": "callback", "action_url": "/x/"}
    assert '<html lang="id">' in rendering.render_notice("approved", context, proposer).html
    assert '<html lang="en">' in rendering.render_notice("approved", context, None).html


def test_a_person_who_chose_indonesian_gets_the_email_in_indonesian(
    proposer, approver, co_author, django_capture_on_commit_callbacks
):
    from accounts.preferences import save_language

    save_language(proposer, "id")
    experiment = make_experiment(proposer, approver)
    with django_capture_on_commit_callbacks(execute=True):
        tell("started", [proposer, approver], key="started:lang", url="/", experiment=experiment)
    assert '<html lang="id">' in mails_to(mail.outbox, proposer)[0].alternatives[0][0]
    assert '<html lang="en">' in mails_to(mail.outbox, approver)[0].alternatives[0][0]
