"""Pagar's Python client: assign units to experiments in-process from a cached configuration
(the server's own rule and hashing), and report first exposures in batches. Standard library only."""

from .client import PagarClient, PagarError
from .rules import Assignment, Rule, decide

__all__ = ["Assignment", "PagarClient", "PagarError", "Rule", "decide"]
