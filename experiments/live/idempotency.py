"""At most once per (user, Idempotency-Key): the batch's answer is stored and replayed.

The unique constraint on IngestBatch(created_by, idempotency_key) decides races: two requests
with one key may both do the work, but only one transaction can insert its batch; the other
rolls back everything it wrote and answers with the winner's stored answer.
"""

import hashlib
from typing import NamedTuple
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments.inputs.cleaning import text_problem
from experiments.models import IngestBatch

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = IngestBatch._meta.get_field("idempotency_key").max_length
# A batch whose rows raced another batch's identical rows is validated again (it will then
# report them as duplicates); a few rounds are plenty.
ATTEMPTS = 3


class Answer(NamedTuple):
    status: int
    payload: dict
    replayed: bool = False


class BadKey(Exception):
    """The request's key is missing or unusable; `answer` says why (not recorded: no usable key)."""

    def __init__(self, answer: Answer):
        super().__init__(answer.payload["detail"])
        self.answer = answer


class KeyTaken(Exception):
    """Another request inserted a batch with this key first."""


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def checked_key(value) -> str:
    """The Idempotency-Key value, or BadKey with a 400 naming the header."""
    key = (value or "").strip()
    if not key:
        raise BadKey(
            Answer(
                400,
                {
                    "detail": _(
                        "The %(header)s header is required: send a unique value (e.g. a UUID) per batch, "
                        "and the same value when you retry that batch."
                    )
                    % {"header": HEADER},
                    "field": HEADER,
                },
            )
        )
    problem = text_problem(key)
    if problem:  # stored in a text column PostgreSQL cannot fill with NUL
        detail = _("The %(header)s header: %(problem)s") % {"header": HEADER, "problem": problem}
        raise BadKey(Answer(400, {"detail": detail, "field": HEADER}))
    if len(key) > MAX_KEY_LENGTH:
        raise BadKey(
            Answer(
                400,
                {
                    "detail": _("The %(header)s header is at most %(length)d characters.")
                    % {"header": HEADER, "length": MAX_KEY_LENGTH},
                    "field": HEADER,
                },
            )
        )
    return key


def replay(batch: IngestBatch, kind: str, body_sha: str) -> Answer:
    """The stored answer for a retry of the same batch; 422 when the key came with another body."""
    if batch.body_sha256 != body_sha or batch.kind != kind:
        return Answer(
            422,
            {
                "detail": _(
                    "This %(header)s was already used for a different batch (sent %(sent)s UTC). "
                    "Use a new key for new data; reuse a key only to retry the very same body."
                )
                % {"header": HEADER, "sent": f"{batch.created_at:%Y-%m-%d %H:%M}"},
                "field": HEADER,
            },
        )
    return Answer(batch.status_code, batch.response, replayed=True)


def stored(user, key: str) -> IngestBatch | None:
    return IngestBatch.objects.filter(created_by=user, idempotency_key=key).first()


def once(user, key: str, kind: str, body_sha: str, attempt: Callable) -> Answer:
    """Run `attempt(record)` in one transaction unless this key already has an answer.

    `attempt` validates, calls `record(status, payload, row_count)` (which inserts the batch and
    returns it) and then writes its rows against that batch. It returns the Answer.
    """
    previous = stored(user, key)
    if previous is not None:
        return replay(previous, kind, body_sha)

    for remaining in reversed(range(ATTEMPTS)):
        try:
            with transaction.atomic():
                return attempt(_recorder(user, key, kind, body_sha))
        except KeyTaken:
            previous = stored(user, key)
            if previous is None:  # the winner has not committed where we can see it
                return Answer(
                    409,
                    {
                        "detail": _("A batch with this %(header)s is still being processed; retry in a moment.")
                        % {"header": HEADER},
                        "field": HEADER,
                    },
                )
            return replay(previous, kind, body_sha)
        except IntegrityError:
            # Rows raced another batch's identical rows; validating again reports them.
            if not remaining:
                raise
    raise AssertionError("unreachable")


def _recorder(user, key, kind, body_sha):
    def record(status: int, payload: dict, row_count: int, source: str) -> IngestBatch:
        try:
            with transaction.atomic():  # a savepoint: the key's conflict is told apart from the rows'
                return IngestBatch.objects.create(
                    created_by=user,
                    idempotency_key=key,
                    kind=kind,
                    source=source,
                    body_sha256=body_sha,
                    accepted=200 <= status < 300,
                    status_code=status,
                    response=payload,
                    row_count=row_count,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            raise KeyTaken() from None

    return record
