"""Service keys: make, find by secret, check scope, revoke. Every door (pages, API, admin, the
authentication of machine calls, assignment and ingestion) asks here.

A secret reads `pgk_<prefix>_<random>`: the prefix finds the row, the SHA-256 of the whole secret
must match the stored one. 256 random bits need no slow hash: guessing is hopeless anyway.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments import access
from experiments.errors import Invalid, NotPermitted
from experiments.models import ServiceKey, ServiceKeyAction

SECRET_START = "pgk"
# Last-used time is written at most this often per key: a busy service makes thousands of calls
# a minute and the assignment call must stay cheap.
LAST_USED_EVERY = dt.timedelta(minutes=1)
ACTION_WORDS = {ServiceKeyAction.ASSIGN: "assign", ServiceKeyAction.SEND_DATA: "send data"}


class KeyRefused(Exception):
    """The secret names no usable key (unknown, revoked, expired): the caller answers 401."""


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(user, name: str, *, actions, experiments=(), touchpoint=None, expires_at=None) -> tuple[ServiceKey, str]:
    """A new key and its secret (shown once, never stored). Refuses with the field at fault."""
    name = (name or "").strip()
    actions = set(actions or ())
    experiments = list(experiments or ())
    problems = []
    if not name:
        problems.append({"field": "name", "message": _("Give the key a name: what will call with it.")})
    if not actions or not actions <= set(ServiceKeyAction.values):
        problems.append({"field": "actions", "message": _("Choose what the key may do: assign, send_data or both.")})
    if bool(experiments) == (touchpoint is not None):
        problems.append(
            {"field": "experiments", "message": _("Scope the key to a list of experiments or to one touchpoint.")}
        )
    now = timezone.now()
    expires_at = expires_at or now + dt.timedelta(days=settings.SERVICE_KEY_DAYS)
    if expires_at <= now:
        problems.append({"field": "expires_at", "message": _("The expiry must be in the future.")})
    if problems:
        raise Invalid(problems[0]["message"], problems)
    if not access.may_create_service_key(user, experiments, touchpoint):
        field = "touchpoint" if touchpoint is not None else "experiments"
        raise NotPermitted(
            _(
                "Only the authors of every experiment listed may make a key for them; "
                "keys for a touchpoint are made by administrators."
            ),
            field=field,
        )
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        secret = f"{SECRET_START}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                key = ServiceKey.objects.create(
                    name=name[:100],
                    prefix=prefix,
                    secret_sha256=_sha256(secret),
                    created_by=user,
                    touchpoint=touchpoint,
                    can_assign=ServiceKeyAction.ASSIGN in actions,
                    can_send_data=ServiceKeyAction.SEND_DATA in actions,
                    created_at=now,
                    expires_at=expires_at,
                )
                key.experiments.set(experiments)
            return key, secret
        except IntegrityError:  # the prefix was taken: draw again
            continue
    raise RuntimeError("Could not draw a free key prefix.")


def revoke_key(user, key: ServiceKey) -> ServiceKey:
    if not access.may_revoke_service_key(user, key):
        raise NotPermitted(_("Only the person who made a key, or an administrator, may revoke it."))
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = user
        key.save(update_fields=["revoked_at", "revoked_by"])
    return key


def keys_of(user):
    return ServiceKey.objects.filter(created_by=user).select_related("touchpoint").prefetch_related("experiments")


def authenticate(secret: str) -> ServiceKey:
    """The usable key for this secret, or KeyRefused saying why. Notes the last use."""
    parts = (secret or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != SECRET_START:
        raise KeyRefused(_("This is not a Pagar service key."))
    found = ServiceKey.objects.select_related("created_by", "touchpoint").prefetch_related("experiments")
    key = found.filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.secret_sha256, _sha256(secret.strip())):
        raise KeyRefused(_("Unknown service key."))
    now = timezone.now()
    if key.is_revoked:
        raise KeyRefused(_("This service key was revoked."))
    if key.is_expired(now):
        raise KeyRefused(_("This service key expired on %(day)s.") % {"day": f"{key.expires_at:%Y-%m-%d}"})
    if not key.created_by.is_active:
        raise KeyRefused(_("The person who made this service key can no longer sign in."))
    note_use(key, now)
    return key


def note_use(key: ServiceKey, now) -> None:
    """Write the last-used time, at most once per LAST_USED_EVERY (also for a cached key)."""
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        ServiceKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


# --- scope ---------------------------------------------------------------------------------------


def scope_text(key: ServiceKey) -> str:
    """The key's scope in words, e.g. "experiments chat-greeting, faq-order; actions: assign"."""
    if key.touchpoint_id is not None:
        where = _("touchpoint %(key)s") % {"key": key.touchpoint.key}
    else:
        where = _("experiments %(keys)s") % {"keys": ", ".join(sorted(e.key for e in key.experiments.all())) or "-"}
    actions = ", ".join(ACTION_WORDS[a] for a in key.actions()) or "-"
    return _("%(where)s; actions: %(actions)s") % {"where": where, "actions": actions}


def covers(key: ServiceKey, experiment_id: int, touchpoint_keys) -> bool:
    """Is the experiment inside the key's scope? `touchpoint_keys`: the experiment's touchpoints."""
    if key.touchpoint_id is not None:
        return key.touchpoint.key in set(touchpoint_keys)
    return experiment_id in {e.pk for e in key.experiments.all()}


def require_action(key: ServiceKey, action: str) -> None:
    if action not in key.actions():
        raise NotPermitted(
            _("This service key may not %(action)s; its scope is %(scope)s.")
            % {"action": ACTION_WORDS[action], "scope": scope_text(key)},
            field="key",
        )


def require_scope(key: ServiceKey, action: str, experiment_id: int, experiment_key: str, touchpoint_keys) -> None:
    """NotPermitted (403) naming the key's scope when the action or the experiment is outside it."""
    require_action(key, action)
    if not covers(key, experiment_id, touchpoint_keys):
        raise NotPermitted(
            _("Experiment '%(experiment)s' is outside this service key's scope (%(scope)s).")
            % {"experiment": experiment_key, "scope": scope_text(key)},
            field="experiment",
        )
