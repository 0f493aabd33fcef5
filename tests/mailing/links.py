"""Reading an email as its recipient does: find the link to the action and open it."""

import re
from urllib.parse import urlsplit

from django.conf import settings

PREFERENCES = "/notifications/preferences/"


def action_link(message) -> str:
    """The first absolute link on SITE_URL in the text body that is not the preferences link."""
    links = re.findall(re.escape(settings.SITE_URL) + r"/\S*", message.body)
    [link] = [u for u in dict.fromkeys(links) if not u.endswith(PREFERENCES)]
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    assert f'href="{link}"' in html  # the HTML part has the same button
    return link


def open_link(client, link: str):
    """GET the link's path (the test client serves SITE_URL's host)."""
    assert link.startswith(settings.SITE_URL + "/")
    return client.get(urlsplit(link).path)


def mails_to(outbox, user) -> list:
    return [m for m in outbox if m.to == [user.email]]
