"""Login, dashboard, detail, error pages and the shared layout."""

import datetime as dt

import time_machine
from django.urls import reverse

from cadence.heartbeat import record_heartbeat
from experiments.models import Status
from tests.experiments.web import https_client, text_of  # noqa: F401
from tests.factories import make_experiment


def page_text(response):
    return text_of(response.content.decode())


def test_login_page_and_login_then_logout(proposer, password):
    client = https_client()
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": proposer.username, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logging out is a POST from the nav
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


def test_wrong_password_is_refused_with_a_message(proposer):
    response = https_client().post(reverse("login"), {"username": proposer.username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in page_text(response)


def test_dashboard_sorts_my_experiments(proposer, approver, co_author):
    mine = make_experiment(proposer, approver, title="My draft")
    returned = make_experiment(proposer, approver, title="Returned to me", status=Status.CHANGES_REQUESTED)
    submitted = make_experiment(proposer, approver, title="Sent to Alex", status=Status.PENDING_APPROVAL)
    running = make_experiment(proposer, approver, title="Live now", status=Status.RUNNING)
    make_experiment(co_author, approver, title="Colin's draft")
    response = https_client(proposer).get(reverse("dashboard"))
    sections = {s["id"]: {e.title for e in s["rows"]} for s in response.context["sections"]}
    assert sections == {  # no "waiting for your approval": a proposer is never asked
        "drafts": {mine.title, returned.title},
        "submitted": {submitted.title},
        "running": {running.title},
    }
    assert "Colin's draft" not in page_text(response)


def test_dashboard_shows_the_approver_what_waits_for_them(proposer, approver):
    waiting = make_experiment(proposer, approver, title="Needs your decision", status=Status.PENDING_APPROVAL)
    response = https_client(approver).get(reverse("dashboard"))
    to_approve = next(s for s in response.context["sections"] if s["id"] == "to-approve")
    assert [e.pk for e in to_approve["rows"]] == [waiting.pk]
    assert waiting.get_absolute_url() in response.content.decode()


def test_empty_dashboard_points_to_the_next_step(proposer, outsider):
    html = https_client(proposer).get(reverse("dashboard")).content.decode()
    assert "You have no drafts." in html and f'href="{reverse("experiment-create")}"' in html
    # Without the proposer role there is no Propose link, only the explanation.
    html = https_client(outsider).get(reverse("dashboard")).content.decode()
    assert reverse("experiment-create") not in html
    assert "Proposing needs the proposer role" in html


def test_dashboard_needs_login(db):
    response = https_client().get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_nav_shows_admin_only_to_staff(proposer, admin_user):
    assert 'href="/admin/"' not in https_client(proposer).get(reverse("dashboard")).content.decode()
    assert 'href="/admin/"' in https_client(admin_user).get(reverse("dashboard")).content.decode()


def test_footer_shows_the_scheduler_status(proposer):
    assert "Scheduler has not reported yet" in page_text(https_client(proposer).get(reverse("dashboard")))
    beat = record_heartbeat("worker@test")
    text = page_text(https_client(proposer).get(reverse("dashboard")))
    assert f"Scheduler alive, last beat {beat.last_run_at:%H:%M}" in text
    with time_machine.travel(beat.last_run_at + dt.timedelta(minutes=10)):
        text = page_text(https_client(proposer).get(reverse("dashboard")))
    assert "Scheduler not running (last beat" in text


def test_detail_of_a_draft_for_its_owner(proposer, approver):
    experiment = make_experiment(proposer, approver)
    response = https_client(proposer).get(experiment.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    # The decision comes first: status banner with the next step and the owner's buttons.
    assert html.index('class="banner') < html.index("<h2>Hypothesis</h2>")
    assert "Complete the proposal, then submit it for approval." in text
    assert [m.action for m in response.context["moves"]] == ["submit", "withdraw"]
    assert 'name="action" value="submit"' in html and "csrfmiddlewaretoken" in html
    assert experiment.hypothesis_sentence in text
    assert "Chat" in text and "All customers" in text and "20% of eligible traffic" in text
    assert "First-contact resolution" in text and "2 pp better" in text and "70%" in text
    assert "0.5 pp worse at most" in text
    assert text.index("First-contact resolution") < text.index("Complaint rate")  # success metrics lead
    plan = response.context["plan"]
    assert plan is not None and f"{plan.total_units:,}" in text
    assert "Before you can submit" not in text  # the factory proposal is policy-compliant
    assert "Priya Proposer created it as a draft." in text


def test_detail_lists_policy_problems_while_editable(proposer, approver):
    experiment = make_experiment(proposer, approver, exposure_cap_pct=75)
    text = page_text(https_client(proposer).get(experiment.get_absolute_url()))
    assert "Before you can submit" in text
    assert "Exposure cap 75% is above the policy maximum of 50%." in text


def test_detail_for_the_approver_of_a_pending_proposal(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL, exposure_cap_pct=75)
    response = https_client(approver).get(experiment.get_absolute_url())
    html = response.content.decode()
    assert [m.action for m in response.context["moves"]] == ["approve", "request_changes", "reject"]
    assert 'name="reason"' in html  # request changes and reject ask for a reason
    assert "You are the approver" in text_of(html)
    assert "Before you can submit" not in text_of(html)  # not editable any more


def test_detail_shows_plan_error_instead_of_numbers(proposer, approver):
    experiment = make_experiment(proposer, approver)
    experiment.variants.update(is_control=False)
    text = page_text(https_client(proposer).get(experiment.get_absolute_url()))
    assert "No plan yet: mark exactly one variant as the control." in text


def test_detail_warns_about_overlapping_experiments(proposer, approver, co_author):
    running = make_experiment(co_author, approver, title="Chat bot triage", status=Status.RUNNING)
    experiment = make_experiment(proposer, approver)
    text = page_text(https_client(proposer).get(experiment.get_absolute_url()))
    assert "Overlaps with 1 approved or running experiment" in text
    assert running.title in text


def test_detail_timeline_shows_actor_move_and_reason(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    https_client(approver).post(
        reverse("experiment-transition", kwargs={"key": experiment.key}),
        {"action": "request_changes", "reason": "Add the repeat-contact guardrail."},
    )
    text = page_text(https_client(proposer).get(experiment.get_absolute_url()))
    assert "Alex Approver moved it from pending approval to changes requested" in text
    assert "Add the repeat-contact guardrail." in text


def test_drafts_of_others_are_404_with_the_layout(proposer, approver, co_author):
    experiment = make_experiment(proposer, approver)
    response = https_client(co_author).get(experiment.get_absolute_url())
    assert response.status_code == 404
    assert "a draft only its authors can see" in page_text(response)
    assert "Log out" in page_text(response)  # the 404 page keeps the navigation


def test_submitted_proposals_are_visible_to_every_signed_in_user(proposer, approver, outsider):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    response = https_client(outsider).get(experiment.get_absolute_url())
    assert response.status_code == 200
    assert response.context["moves"] == []


def test_403_page_explains_and_keeps_the_layout(outsider):
    response = https_client(outsider).get(reverse("experiment-create"))
    assert response.status_code == 403
    text = page_text(response)
    assert "You cannot do that here" in text and "proposer role" in text and "Log out" in text
