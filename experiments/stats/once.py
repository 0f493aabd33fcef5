"""``once``: an attribute computed on first read and kept on the object.

``functools.cached_property`` does the same but takes a lock on every read in Python 3.11, which
costs more than the values cached here (a metric's fixed result fields, a reading's direction, a
state's tail pricer), read on every metric of every look. The objects are never changed after
they are made, so computing a value twice in a race would only compute the same value.
"""

from __future__ import annotations


class once:  # noqa: N801 - used as a decorator, like functools.cached_property
    def __init__(self, compute):
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        # a non-data descriptor: once this is in the instance's __dict__, reads never come here
        value = instance.__dict__[self.name] = self.compute(instance)
        return value
