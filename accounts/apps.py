from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and API tokens")

    def ready(self):
        from accounts import signals  # noqa: F401  (a password change revokes the person's tokens)
