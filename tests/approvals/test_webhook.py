"""The outgoing webhook against a real HTTP server on 127.0.0.1: signature and retry."""

import hashlib
import hmac
import http.server
import json
import threading

import pytest
from django.test import override_settings

from approvals import webhook
from approvals.tasks import deliver_webhook


class Receiver(http.server.BaseHTTPRequestHandler):
    failures_left = 0
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            self.send_response(503)
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    Receiver.failures_left = 0
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver, f"http://127.0.0.1:{server.server_port}/pagar"
    server.shutdown()
    server.server_close()


PAYLOAD = {"event": "approved", "experiment": "chat-greeting", "message": "Approved"}


def verify(headers, body, secret):
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers[webhook.SIGNATURE_HEADER], expected)


def test_the_body_is_signed_with_hmac_sha256(receiver):
    server, url = receiver
    with override_settings(WEBHOOK_URL=url, WEBHOOK_SECRET="s3cret"):
        deliver_webhook.apply(args=[PAYLOAD], throw=True)
    [(headers, body)] = server.received
    assert json.loads(body) == PAYLOAD
    assert headers["Content-Type"] == "application/json"
    assert verify(headers, body, "s3cret")
    assert not verify(headers, body, "another secret")


def test_a_failing_receiver_is_retried_until_it_answers(receiver):
    server, url = receiver
    server.failures_left = 2
    with override_settings(WEBHOOK_URL=url, WEBHOOK_SECRET="s3cret"):
        deliver_webhook.apply(args=[PAYLOAD])
    assert len(server.received) == 3  # two 503s, then delivered
    assert all(verify(h, b, "s3cret") for h, b in server.received)


def test_retries_back_off_exponentially():
    assert deliver_webhook.retry_backoff is True
    assert deliver_webhook.max_retries == 6
    from celery.utils.time import get_exponential_backoff_interval

    delays = [
        get_exponential_backoff_interval(1, n, deliver_webhook.retry_backoff_max, full_jitter=False) for n in range(4)
    ]
    assert delays == [1, 2, 4, 8]


def test_no_url_sends_nothing(receiver):
    server, _ = receiver
    with override_settings(WEBHOOK_URL=""):
        deliver_webhook.apply(args=[PAYLOAD], throw=True)
    assert server.received == []
