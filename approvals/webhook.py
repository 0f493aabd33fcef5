"""The optional outgoing webhook: a JSON body signed with HMAC-SHA256 over the exact bytes sent."""

import hashlib
import hmac
import json
import urllib.request

SIGNATURE_HEADER = "X-Pagar-Signature"


def encode(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(url: str, body: bytes, secret: str, timeout: float = 10) -> int:
    """POST the body; raises on network errors and non-2xx answers so the task can retry."""
    headers = {"Content-Type": "application/json", "User-Agent": "Pagar-webhook/1"}
    if secret:
        headers[SIGNATURE_HEADER] = signature(body, secret)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status
