import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _settle_start_up() -> None:
    """Import every view now (the URLconf loads them), then take what start-up made out of the
    garbage collector's sight: its full collections then walk only what requests create, not the
    hundreds of thousands of long-lived objects of Django, SciPy and statsmodels (a pause of tens
    of milliseconds on whichever request triggers one)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - evaluated for its imports
    gc.freeze()


_settle_start_up()
