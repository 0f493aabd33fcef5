"""Moved to mailing.webhook (the outbox sends it); kept so older imports keep working."""

from mailing.webhook import SIGNATURE_HEADER, encode, headers_for, post, post_signed, signature

__all__ = ["SIGNATURE_HEADER", "encode", "headers_for", "post", "post_signed", "signature"]
