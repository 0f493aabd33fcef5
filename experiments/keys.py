"""An experiment's key from text: one rule for cutting a slug at a word boundary, used by the
proposal form (the key derived from the title) and by every draft made from an idea, a review or a standard."""

from django.utils.text import slugify

KEY_LENGTH = 40  # long enough for four or five words, short enough to type in a URL


def cut_at_word(slug: str, limit: int) -> str:
    """`slug` shortened to at most `limit` characters by dropping whole words from the end; only a
    first word longer than the limit is cut inside (there is no shorter whole-word key)."""
    if len(slug) <= limit:
        return slug
    # The character just past the limit tells whether the limit falls on a word's end.
    head = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[: limit + 1] else slug[:limit]
    return head.strip("-") or slug[:limit]


def key_from_title(title: str, length: int = KEY_LENGTH) -> str:
    """The title as a slug, cut at a word boundary ("shorter-chat-greeting", never "shorter-ch").

    static/js/proposal_key.js does the same in the browser; a browser test holds them equal."""
    return cut_at_word(slugify(title), length)
