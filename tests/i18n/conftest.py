import pytest

from tests.i18n.catalogue import compile_indonesian


@pytest.fixture
def indonesian(tmp_path, settings):
    """LOCALE_PATHS with this helper's Indonesian first (Django drops its cached catalogues)."""
    settings.LOCALE_PATHS = [str(compile_indonesian(tmp_path / "locale")), *settings.LOCALE_PATHS]
    return settings.LOCALE_PATHS[0]
