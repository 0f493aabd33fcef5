"""Pagar's statistics: pure functions on numbers, no Django. Safe to import in a notebook."""
