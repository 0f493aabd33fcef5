"""Django's makemessages, also extracting the check sentences' msgids: the statistics engine keeps
what it says as phrases (experiments.stats.phrases.phrase) that are worded when read, so
``phrase("...")`` marks a msgid as ``gettext_noop`` would."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # N_: gettext_noop's short name where a table of words is declared (experiments.live.presentation).
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=phrase", "--keyword=N_"]
