"""Read a request body of up to `limit` bytes into a temporary file, counting as it arrives.

Small bodies stay in memory, larger ones go to disk: memory stays flat whatever the size. The
SHA-256 is computed on the way (the batch's fingerprint for Idempotency-Key). A body found
larger than `limit` while reading stops being read at once.
"""

import hashlib
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils.translation import gettext as _

CHUNK_BYTES = 64 * 1024
IN_MEMORY_BYTES = 1024 * 1024


@dataclass
class SpooledBody:
    file: object
    sha256: str = ""
    size: int = 0
    too_large: str = ""  # why it was not read to the end


def _too_large(limit: int, length: int | None = None) -> str:
    if length is None:
        return _("The body is more than %(limit)s bytes; the most one batch may send is %(limit)s. Split it.") % {
            "limit": f"{limit:,}"
        }
    return _("The body is %(length)s bytes; the most one batch may send is %(limit)s. Split it.") % {
        "length": f"{length:,}",
        "limit": f"{limit:,}",
    }


@contextmanager
def spooled(request, limit: int):
    """A SpooledBody for the Django `request`'s body; its file is removed on leaving."""
    with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES) as file:
        body = SpooledBody(file)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > limit:
            body.too_large = _too_large(limit, length)
            yield body
            return
        digest = hashlib.sha256()
        # Something already read the body (a test client, a middleware): it is in memory anyway.
        stream = [request.body] if hasattr(request, "_body") else iter(lambda: request.read(CHUNK_BYTES), b"")
        for chunk in stream:
            body.size += len(chunk)
            if body.size > limit:
                body.too_large = _too_large(limit)
                break
            digest.update(chunk)
            file.write(chunk)
        body.sha256 = digest.hexdigest()
        file.seek(0)
        yield body
