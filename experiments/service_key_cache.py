"""Service keys held in memory for the fast assignment view (experiments.live.fast_assignment).

`service_keys.authenticate` costs two queries; a service calling thousands of times a minute
should not pay them per call. A key found by its secret is kept for KEEP_SECONDS; every call still
checks its expiry against the clock. A change made in this process (revoking, editing or deleting
a key, deactivating its maker, changing its experiments) empties the cache at once; one made in
another process (another gunicorn worker, the admin elsewhere) reaches this one within
KEEP_SECONDS. The slow path (`authenticate`) is the one rule; this only remembers its answers.
"""

import hashlib
import threading
import time

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from experiments import service_keys
from experiments.models import ServiceKey

KEEP_SECONDS = 10

_keys: dict[str, tuple[ServiceKey, float]] = {}  # sha256 of the secret -> (key, when found)
_lock = threading.Lock()
_clock = time.monotonic  # a name of its own, so tests can move it


def usable_key(secret: str) -> ServiceKey | None:
    """The usable key for this secret, from memory when recently found; None when refused (the
    caller then takes the slow path, which says why)."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    held = _keys.get(digest)
    now = timezone.now()
    if held is not None and _clock() - held[1] < KEEP_SECONDS:
        key = held[0]
        if key.is_expired(now):
            return None
        service_keys.note_use(key, now)
        return key
    try:
        key = service_keys.authenticate(secret)
    except service_keys.KeyRefused:
        return None
    with _lock:
        _keys[digest] = (key, _clock())
    return key


def forget_all(**_signal) -> None:
    with _lock:
        _keys.clear()


for _model in (ServiceKey, get_user_model()):
    post_save.connect(forget_all, sender=_model, dispatch_uid=f"service-key-cache-save-{_model.__name__}")
    post_delete.connect(forget_all, sender=_model, dispatch_uid=f"service-key-cache-delete-{_model.__name__}")
m2m_changed.connect(forget_all, sender=ServiceKey.experiments.through, dispatch_uid="service-key-cache-m2m")
