"""Settings for the assignment benchmark's server: Pagar's own, plus bench-only reference routes
(bench/reference_urls.py). Never used in production: only bench/assignment_latency.py names it."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.reference_urls"
