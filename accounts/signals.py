"""A changed password revokes the person's API tokens, whichever way it was changed (the password
change and reset pages, the admin, `manage.py changepassword`)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.tokens import revoke_all

User = get_user_model()


@receiver(pre_save, sender=User)
def _note_password_change(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if before is None or before == instance.password:
        return
    # A login may re-hash the same password with newer parameters: that is no change.
    new_raw = getattr(instance, "_password", None)
    instance._password_changed = not (new_raw is not None and check_password(new_raw, before))


@receiver(post_save, sender=User)
def _revoke_tokens_after_password_change(sender, instance, created=False, **kwargs):
    if getattr(instance, "_password_changed", False):
        instance._password_changed = False
        revoke_all(instance)
