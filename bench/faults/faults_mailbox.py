"""An email backend for the fault suite: each message becomes one JSON file (recipients, subject,
body) in settings.FAULTS_MAIL_DIR, written atomically, so messages sent by any process can be
counted per recipient and subject."""

import json
import os
import uuid
from email.header import decode_header, make_header

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = settings.FAULTS_MAIL_DIR
        if not folder:
            raise OSError("FAULTS_MAIL_DIR is not set")
        sent = 0
        for message in email_messages:
            record = {
                "to": list(message.to) + list(message.cc) + list(message.bcc),
                "subject": str(make_header(decode_header(message.subject))),
                "body": message.body,
                "pid": os.getpid(),
            }
            name = f"{uuid.uuid4().hex}.json"
            partial = os.path.join(folder, f".{name}.part")
            with open(partial, "w", encoding="utf-8") as handle:
                json.dump(record, handle)
            os.replace(partial, os.path.join(folder, name))
            sent += 1
        return sent


def read_mailbox(folder) -> list[dict]:
    """Every message written so far (one dict each)."""
    messages = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                messages.append(json.load(handle))
    return messages
