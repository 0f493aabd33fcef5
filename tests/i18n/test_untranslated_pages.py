"""Every page a person can open, rendered in Bahasa Indonesia and in English: a visible text that is
the same in both and is English (not data, names, keys or numbers) was missed by the translation."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cadence.duties.models import ResponseItem
from cadence.ideas.agenda import build_agenda, next_meeting
from cadence.ideas.decisions import open_early
from cadence.reviews.agenda import build_agenda as build_review_agenda
from cadence.reviews.occurrences import ensure_meeting
from cadence.reviews.sending import send_agenda as send_review_agenda
from cadence.standards.services import create_from_experiment
from experiments import roles
from experiments.models import Status
from tests.cadence.ideas.builders import make_idea
from tests.cadence.ideas.builders import make_series as make_slot_series
from tests.cadence.reviews.helpers import make_series as make_review_series
from tests.experiments.live.checks_factory import guardrail_drift, record_looks
from tests.experiments.web import https_client
from tests.factories import make_experiment, make_service_key, make_user
from tests.i18n.text_nodes import english_words, visible_texts

pytestmark = pytest.mark.django_db

# Pages not yet translated, by URL name: none. A page added here is a promise to come back to it.
PENDING_PAGES: set[str] = set()
# Sections of checked pages left out (by id or aria-labelledby prefix): none.
PENDING_SECTIONS = ()
# The header and footer are checked too (base.html).
CHECK_PAGE_CHROME = True

# Not pages: answers to a form's POST, downloads, feeds and the sign-out.
NOT_PAGES = {"logout", "set_language"}
SKIPPED_PREFIXES = ("api/", "^api/", "admin/")


def _patterns(resolvers, prefix="", namespace=None):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            route = prefix + str(entry.pattern)
            if not route.startswith(SKIPPED_PREFIXES):
                yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry.pattern


@pytest.fixture
def site(seeded_catalogues):
    """Demo-like data: a person in every role and an experiment in each state, an idea and its slot,
    a review series, a service key and an API token."""
    walker = make_user("wanda_walker", *sorted(roles.ALL_ROLES), superuser=True)
    colleague = make_user("alex_approver", roles.APPROVER)
    experiments = {
        status: make_experiment(walker, colleague, status=status, key=f"walk-{status}")
        for status in (Status.DRAFT, Status.PENDING_APPROVAL, Status.APPROVED, Status.RUNNING, Status.STOPPED)
    }
    make_idea(walker)
    # The meeting pages: the slot's next meeting, open, with its agenda; the review's, agenda sent
    # (votes open), its summary listing the open response; a standard promoted from a concluded experiment.
    slot = open_early(next_meeting(make_slot_series(walker, colleague)), walker)
    build_agenda(slot)
    now = timezone.now()
    ResponseItem.objects.create(
        experiment=experiments[Status.STOPPED],
        event_key="check:walk",
        kind=ResponseItem.Kind.STOPPED,
        owner=walker,
        what_happened="-",
        what_to_do="-",
        opened_at=now,
        due_at=now + dt.timedelta(hours=4),
    )
    review = ensure_meeting(make_review_series(walker, colleague), timezone.now() + dt.timedelta(days=2))
    build_review_agenda(review)
    send_review_agenda(review)
    concluded = make_experiment(walker, colleague, status="concluded", key="walk-proven", outcome="won")
    create_from_experiment(concluded, statement="Greet new chat customers in one sentence.", owner=walker, actor=walker)
    make_service_key(walker, experiments=[experiments[Status.RUNNING]])
    # Checks with results: the results table, the charts, the check history and the sentences,
    # worded for the reader (a check's record keeps the site's words).
    record_looks(experiments[Status.RUNNING], days=4, apply_decision=False)
    record_looks(
        experiments[Status.STOPPED], days=6, rates=guardrail_drift(from_day=1, per_day=2.0), apply_decision=False
    )
    return walker, experiments


def _arguments(name: str, pattern, experiment) -> dict | None:
    """Values for the URL's parameters from the data made above; None when there is nothing to show."""
    values = {}
    for parameter in pattern.regex.groupindex:
        if parameter == "key":
            values[parameter] = experiment.key
        elif parameter == "pk":
            source = _PK_SOURCES.get(name)
            found = source() if source else None
            if found is None:
                return None
            values[parameter] = found.pk
        elif parameter == "kind":
            values[parameter] = "outcomes"
        else:
            return None
    return values


def _first(model_label: str):
    return lambda: apps.get_model(model_label).objects.order_by("pk").first()


_PK_SOURCES = {
    "idea-detail": _first("ideas.Idea"),
    "idea-edit": _first("ideas.Idea"),
    "idea-meeting-detail": _first("ideas.SlotMeeting"),
    "idea-meeting-minutes": _first("ideas.SlotMeeting"),
    "standard-detail": _first("standards.Standard"),
    "review-meeting": _first("reviews.ReviewMeeting"),
    "review-minutes": _first("reviews.ReviewMeeting"),
    "response-detail": _first("duties.ResponseItem"),
}


# Stored wording, not data: a check's sentence and the scheduler's reasons keep the site's words as
# recorded; every page words their phrases for the reader (Check.display_sentence, display_reason).
RECORDED_WORDING = {("experiments.check", "sentence"), ("experiments.experimentevent", "reason")}


def _data_shown() -> list[str]:
    """Every text value stored in the database (titles, names, keys, hypotheses): data, not wording."""
    values = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
            and (model._meta.label_lower, f.attname) not in RECORDED_WORDING
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            values.update(value for value in row if isinstance(value, str) and len(value.strip()) >= 3)
    for user in apps.get_model("auth.User").objects.all():
        values.add(user.get_full_name())
    for standard in apps.get_model("standards.Standard").objects.all():
        values.add(standard.code)  # S-1: a key, made from the row
    return sorted((v for v in values if v), key=len, reverse=True)


def _page(client, url: str, language: str) -> str | None:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return None
    return response.content.decode()


def _walk(client, experiments):
    """{url name: url} of every GET page, once per experiment state for the experiment pages."""
    pages = {}
    for name, pattern in _patterns(get_resolver().url_patterns):
        if name in NOT_PAGES:
            continue
        for experiment in experiments.values():
            arguments = _arguments(name, pattern, experiment)
            if arguments is None:
                break
            pages[f"{name} ({experiment.status})" if "key" in arguments else name] = reverse(name, kwargs=arguments)
            if "key" not in arguments:
                break
    return pages


def test_every_page_is_translated(site):
    walker, experiments = site
    client = https_client(walker)
    # Listing the slots first makes the next meetings the meeting pages show.
    client.get(reverse("idea-meeting-list"))
    client.get(reverse("review-list"))
    pages = _walk(client, experiments)
    data = _data_shown()
    region = None if CHECK_PAGE_CHROME else "main"
    untranslated, walked = {}, []
    for label, url in sorted(pages.items()):
        english, indonesian = _page(client, url, "en"), _page(client, url, "id")
        if english is None or indonesian is None:
            continue
        walked.append(label)
        texts = {
            language: set(visible_texts(html, region=region, skipped_sections=PENDING_SECTIONS))
            for language, html in (("en", english), ("id", indonesian))
        }
        same = texts["en"] & texts["id"]
        missed = sorted(text for text in same if english_words(text, data))
        if missed and label.split(" (")[0] not in PENDING_PAGES:
            untranslated[label] = missed
    assert len(walked) >= 25, walked
    # The pages of one meeting, standard or response are walked too (the slot's follow-ups are a
    # form's POST, not a page).
    reached = {label.split(" (")[0] for label in walked}
    assert reached >= set(_PK_SOURCES) - {"idea-meeting-minutes"}, sorted(set(_PK_SOURCES) - reached)
    assert not untranslated, "\n".join(f"{label} ({pages[label]}): {texts}" for label, texts in untranslated.items())
