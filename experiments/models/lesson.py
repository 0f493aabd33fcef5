"""What an ended experiment taught: one lesson per experiment, written by a person at the ending
(stop, conclude) or afterwards by its authors when a check ended it. The rule of when one is
required is experiments.lessons."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .experiment import Experiment

# "A short lesson": long enough for a paragraph, short enough to read on an agenda.
LESSON_MAX_CHARS = 2000


class Lesson(models.Model):
    experiment = models.OneToOneField(Experiment, on_delete=models.CASCADE, related_name="lesson")
    learned = models.TextField(_("what we learned"), max_length=LESSON_MAX_CHARS)
    differently = models.TextField(_("what we would do differently"), max_length=LESSON_MAX_CHARS, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        return f"Lesson of {self.experiment.key}"
