"""Django's makemessages, also extracting the check sentences' msgids: the statistics engine keeps
what it says as phrases (experiments.stats.phrases.phrase) that are worded when read, so
``phrase("...")`` marks a msgid as ``gettext_noop`` would."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=phrase"]
