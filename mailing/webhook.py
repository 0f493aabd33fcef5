"""The optional outgoing webhook: a JSON body signed with HMAC-SHA256 over the exact bytes sent.

Calls go through the outbox (mailing.outbox.enqueue_webhook): the body and its headers are fixed
when the event is recorded, and the outbox sends them after commit, retrying with backoff."""

import hashlib
import hmac
import json
import urllib.request

SIGNATURE_HEADER = "X-Pagar-Signature"


def encode(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def headers_for(body: bytes, secret: str) -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": "Pagar-webhook/1"}
    if secret:
        headers[SIGNATURE_HEADER] = signature(body, secret)
    return headers


def post(url: str, body: bytes, secret: str, timeout: float = 10) -> int:
    """POST the body; raises on network errors and non-2xx answers so the caller can retry."""
    return post_signed(url, body, headers_for(body, secret), timeout)


def post_signed(url: str, body: bytes, headers: dict, timeout: float = 10) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status
