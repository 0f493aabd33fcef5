"""``made``: a frozen dataclass instance from all its field values, without its ``__init__``.

A frozen dataclass's generated ``__init__`` sets each field through ``object.__setattr__``; on the
engine's hot path (two arm summaries, an effect and a result with ~40 fields per metric and look)
that was a fifth of a cached evaluation. The object made here is the same (equal, same repr,
``asdict`` and hash) provided every field is given and the class has no ``__post_init__``;
tests/experiments/stats/test_frozen.py holds each use to its class's own constructor.
"""

from __future__ import annotations


def made(cls, fields: dict):
    """``cls(**fields)`` for a frozen dataclass without ``__post_init__``, ``fields`` naming every field."""
    instance = object.__new__(cls)
    object.__setattr__(instance, "__dict__", fields)
    return instance
