"""Outgoing email: subjects on one line, one message per recipient, failures retried and recorded."""
