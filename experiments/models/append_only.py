"""Rows that are history: written once, never changed or deleted (one by one or in bulk)."""

from django.db import models


def _refusal(model, verb: str) -> str:
    return f"{str(model._meta.verbose_name_plural).capitalize()} are append-only; they cannot be {verb}."


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError(_refusal(self.model, "changed"))

    def delete(self):
        raise ValueError(_refusal(self.model, "deleted"))


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(_refusal(type(self), "changed"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(_refusal(type(self), "deleted"))
