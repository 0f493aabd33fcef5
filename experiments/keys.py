"""An experiment's key from its title: the form fills it in while the key is still free to change."""

from django.utils.text import slugify

KEY_LENGTH = 40  # long enough for four or five words, short enough to type in a URL


def key_from_title(title: str, length: int = KEY_LENGTH) -> str:
    """The title as a slug, cut at a word boundary ("shorter-chat-greeting", never "shorter-ch").

    static/js/proposal_key.js does the same in the browser; a browser test holds them equal."""
    words = slugify(title).split("-")
    key = ""
    for word in words:
        candidate = f"{key}-{word}" if key else word
        if len(candidate) > length:
            break
        key = candidate
    return key or slugify(title)[:length].strip("-")
