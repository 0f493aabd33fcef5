"""The OpenAPI document's view: drf-spectacular's, one generation at a time per process.

The generator keeps global state while it runs (tfranzel/drf-spectacular#1368, #1123), so two
threads of one gunicorn worker generating at once can fail with a 500; the API contract's
simultaneous runs met it. Generating takes about a second and is rare, so a lock is enough.
"""

import threading

from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    _generating = threading.Lock()

    # The generation itself (`get` keeps its own documentation: its parameters and answers).
    def _get_schema_response(self, request):
        with self._generating:
            return super()._get_schema_response(request)
