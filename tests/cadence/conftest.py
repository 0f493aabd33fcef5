import pytest

from tests.cadence.indonesian import compiled_catalogue, in_indonesian


@pytest.fixture(scope="session")
def indonesian_catalogue(tmp_path_factory):
    return compiled_catalogue(tmp_path_factory.mktemp("locale"))


@pytest.fixture
def indonesian(indonesian_catalogue):
    """Pages and strings in Bahasa Indonesia for the test: the cadence catalogue compiled first in LOCALE_PATHS."""
    with in_indonesian(indonesian_catalogue):
        yield
