"""The one rule for a new experiment's key (experiments.drafting.free_key): whole words, within the
key's 60 characters with its suffix and counter, unused, never a reserved page address."""

import pytest

from experiments.drafting import cut_at_word, free_key
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


def test_cut_at_word_drops_whole_words_only():
    assert cut_at_word("evening-delivery-window", 16) == "evening-delivery"
    assert cut_at_word("evening-delivery-window", 15) == "evening"
    assert cut_at_word("evening-delivery-window", 30) == "evening-delivery-window"
    assert cut_at_word("supercalifragilistic", 5) == "super"


def test_a_rerun_of_a_long_key_keeps_whole_words_and_its_suffix(proposer, approver):
    long_key = "show-the-refund-status-on-the-order-page-for-customers-abroad"[:60].rstrip("-")
    make_experiment(proposer, approver, key=long_key)
    key = free_key(long_key, "rerun")
    assert key == "show-the-refund-status-on-the-order-page-for-customers-rerun"
    assert len(key) <= 60
    make_experiment(proposer, approver, key=key)
    assert free_key(long_key, "rerun") == "show-the-refund-status-on-the-order-page-for-rerun-2"


def test_the_reserved_address_new_is_never_a_key():
    assert free_key("New") == "new-2"
    assert free_key("", fallback="idea") == "idea"
