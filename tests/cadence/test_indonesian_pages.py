"""Every cadence page rendered in Bahasa Indonesia: its Indonesian headings are there and none of the
English sentences of the cadence catalogue is left in the page's content (the <main> element; the
header and footer are the base template's, checked with it)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cadence.duties.models import ResponseItem
from cadence.ideas.agenda import build_agenda, next_meeting
from cadence.ideas.decisions import open_early
from cadence.reviews.agenda import build_agenda as build_review_agenda
from cadence.reviews.occurrences import ensure_meeting
from cadence.standards.services import create_from_experiment
from tests.cadence.ideas.builders import make_idea, make_series
from tests.cadence.indonesian import CATALOGUE
from tests.cadence.reviews.helpers import make_series as make_review_series
from tests.cadence.reviews.helpers import send
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment, make_user

pytestmark = pytest.mark.django_db

PLACEHOLDER_OR_TAG = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


def english_phrases() -> set[str]:
    """The cadence catalogue's English, cut at placeholders and tags; pieces of two words or more
    (single words such as "Agenda" or "Model" are the same in both languages)."""
    msgids = re.findall(r'^msgid(?:_plural)? "(.+)"$', CATALOGUE.read_text(encoding="utf-8"), flags=re.M)
    pieces = (p.strip(" .,:;()—·") for m in msgids for p in PLACEHOLDER_OR_TAG.split(m.replace('\\"', '"')))
    return {p for p in pieces if len(p.split()) >= 2}


ENGLISH = english_phrases()


def page_in_indonesian(user, url) -> str:
    response = https_client(user).get(url, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return text_of(main)


def assert_indonesian(text: str, *headings: str) -> None:
    missing = [h for h in headings if h not in text]
    assert not missing, f"Indonesian headings missing: {missing}"
    leftovers = sorted(p for p in ENGLISH if p in text)
    assert not leftovers, f"English left on the page: {leftovers}"


# Series names are data, named here so they cannot be mistaken for the catalogue's English.
@pytest.fixture
def idea(proposer):
    return make_idea(proposer, "Panggilan balik")


@pytest.fixture
def slot_meeting(proposer, approver, idea):
    facilitator = make_user("fay_facilitator")
    meeting = open_early(next_meeting(make_series(facilitator, proposer, approver, name="CX Rabu")), facilitator)
    build_agenda(meeting)
    return meeting


@pytest.fixture
def review_meeting(board_member):
    chair = make_user("cora_chair")
    meeting = ensure_meeting(
        make_review_series(chair, board_member, name="Dewan CX"), timezone.now() + dt.timedelta(days=2)
    )
    build_review_agenda(meeting)
    return send(meeting)


@pytest.fixture
def standard(proposer, approver, standards_keeper, board_member):
    source = make_experiment(proposer, approver, status="concluded", key="greeting-proven", outcome="won")
    return create_from_experiment(
        source, statement="Greet new chat customers in one sentence.", owner=standards_keeper, actor=board_member
    )


def test_idea_backlog(indonesian, proposer, idea):
    text = page_in_indonesian(proposer, reverse("idea-list"))
    assert_indonesian(text, "Backlog ide", "Kirim ide", "Titik kontak", "Titik masalah", "Urutkan menurut:")


def test_idea_form_and_its_error_summary(indonesian, proposer):
    text = page_in_indonesian(proposer, reverse("idea-create"))
    assert_indonesian(text, "Kirim ide", "Judul", "Hambatan / titik masalah", "Hipotesis awal", "Batal")
    refused = https_client(proposer).post(reverse("idea-create"), {"title": ""}, HTTP_ACCEPT_LANGUAGE="id")
    html = refused.content.decode()
    assert_indonesian(text_of(html[html.index("<main") :]), "Ada masalah")


def test_idea_page(indonesian, proposer, idea):
    text = page_in_indonesian(proposer, idea.get_absolute_url())
    assert_indonesian(text, "Idenya", "Hipotesis", "Efek yang diharapkan", "Diskusi", "Belum ada komentar.")
    # The seeded ICE criteria are in the catalogue too (ScoringCriterion.label).
    assert_indonesian(text, "Dampak", "Keyakinan", "Kemudahan", "Seberapa yakin kita ide ini berhasil?")


def test_slot_meetings(indonesian, proposer, slot_meeting):
    text = page_in_indonesian(proposer, reverse("idea-meeting-list"))
    assert_indonesian(text, "Sesi ide mingguan", "Rapat mendatang", "Rapat sebelumnya")


def test_slot_meeting_page_for_its_facilitator(indonesian, slot_meeting):
    text = page_in_indonesian(slot_meeting.series.facilitator, slot_meeting.get_absolute_url())
    assert_indonesian(text, "Agenda", "Catat keputusan", "Jadikan usulan", "Notulen", "Tindak lanjut")


def test_review_list_meeting_and_minutes(indonesian, board_member, review_meeting):
    assert_indonesian(page_in_indonesian(board_member, reverse("review-list")), "Tinjauan promosi", "Katalog standar")
    text = page_in_indonesian(board_member, review_meeting.get_absolute_url())
    assert_indonesian(text, "Rapat", "Program sejak tinjauan terakhir", "Yang kami pelajari", "Notulen siap cetak")
    minutes = page_in_indonesian(board_member, reverse("review-minutes", args=[review_meeting.pk]))
    assert_indonesian(minutes, "Notulen:", "Keputusan", "Kembali ke rapat")


def test_standards_catalogue_and_a_standard(indonesian, proposer, standard):
    text = page_in_indonesian(proposer, reverse("standard-list"))
    assert_indonesian(text, "Katalog standar", "Saring", "Pengelola", "Tinjauan ulang")
    detail = page_in_indonesian(proposer, standard.get_absolute_url())
    assert_indonesian(detail, "Cakupan dan kepemilikan", "Eksperimen pendukung", "Riwayat versi", "Bukti saat promosi")


def test_my_calendar(indonesian, proposer):
    text = page_in_indonesian(proposer, reverse("calendar-page"))
    assert_indonesian(text, "Kalender saya", "Berlangganan di aplikasi kalender Anda", "Buat alamat baru")


def test_roles_responses_and_a_response(indonesian, proposer, approver, signal_owner):
    experiment = make_experiment(proposer, approver, status="running")
    now = timezone.now()
    item = ResponseItem.objects.create(
        experiment=experiment,
        event_key="check:test",
        kind=ResponseItem.Kind.STOPPED,
        owner=signal_owner,
        what_happened="-",
        what_to_do="-",
        opened_at=now,
        due_at=now + dt.timedelta(hours=4),
    )
    assert_indonesian(
        page_in_indonesian(signal_owner, reverse("roles")), "Peran di setiap titik kontak", "Peran organisasi"
    )
    assert_indonesian(page_in_indonesian(signal_owner, reverse("response-list")), "Respons", "Milik saya")
    detail = page_in_indonesian(signal_owner, item.get_absolute_url())
    assert_indonesian(detail, "Apa yang terjadi", "Tutup dengan apa yang telah dilakukan", "Data diperbaiki")


def test_search(indonesian, proposer, idea):
    text = page_in_indonesian(proposer, reverse("search") + "?q=Panggilan")
    assert_indonesian(text, "Cari", "Cari di", "hasil untuk “Panggilan”")


def test_operations(indonesian):
    staff = make_user("stan_staff")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    text = page_in_indonesian(staff, reverse("operations"))
    assert_indonesian(text, "Operasional", "Sapuan terakhir", "Terlambat sekarang", "Belum ada sapuan")
