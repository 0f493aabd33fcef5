"""Settings for the fault suite: Pagar's own settings, with only what the suite needs changed.

- Email goes to faults_mailbox (one JSON file per message in FAULTS_MAIL_DIR), so every process
  (web, worker, beat) writes where the suite can count.
- Static files without a manifest (DEBUG is off, collectstatic is not run for a bench).
- The monitoring sweep's period scaled like the suite's windows (FAULTS_SWEEP, 20 s for the
  production 5 minutes), set when the template database is migrated.
Nothing else: the broker, database and slot times come from the environment as in production.
"""

import os

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "faults_mailbox.EmailBackend"
FAULTS_MAIL_DIR = os.environ.get("FAULTS_MAIL_DIR", "")
MONITORING_SWEEP_SECONDS = int(float(os.environ.get("FAULTS_SWEEP", 20)))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
