"""Catalogues the organisation maintains in the admin: metrics, touchpoints, segments, policy."""

import math

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.Model):
    class Kind(models.TextChoices):
        BINARY = "binary", _("Binary rate")
        MEAN = "mean", _("Continuous mean")
        NPS = "nps", _("NPS-style score (0-10)")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    unit = models.CharField(max_length=30, blank=True, help_text=_("e.g. %, minutes, EUR, points"))
    min_value = models.FloatField(null=True, blank=True, help_text=_("Smallest valid per-unit value"))
    max_value = models.FloatField(null=True, blank=True, help_text=_("Largest valid per-unit value"))
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        for field in ("min_value", "max_value"):
            value = getattr(self, field)
            if value is not None and not math.isfinite(value):
                raise ValidationError({field: _("Must be a finite number.")})
        if self.min_value is not None and self.max_value is not None and self.min_value >= self.max_value:
            raise ValidationError({"max_value": _("Must be greater than the minimum value.")})
        if self.kind == self.Kind.BINARY and (self.min_value, self.max_value) not in ((None, None), (0, 1)):
            raise ValidationError(
                {"kind": "A binary rate takes per-unit values 0 or 1; leave the range empty or 0 to 1."}
            )
        if self.kind == self.Kind.NPS and (self.min_value, self.max_value) not in ((None, None), (0, 10)):
            raise ValidationError(
                {"kind": "An NPS-style score is answered on 0 to 10; leave the range empty or 0 to 10."}
            )

    @property
    def lower_is_better(self) -> bool:
        return self.direction == self.Direction.LOWER


class Touchpoint(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    mandatory_guardrails = models.ManyToManyField(
        Metric,
        blank=True,
        related_name="mandatory_for_touchpoints",
        help_text=_("Every experiment on this touchpoint must carry these as guardrail metrics."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Segment(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SensitiveCategory(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    needs_standards_keeper = models.BooleanField(
        default=True, help_text=_("Experiments in this category also need a standards keeper's approval.")
    )
    # The AI guardrails (issue 14): checked by experiments.contract with the rest of the policy.
    guardrail_one_of = models.ManyToManyField(
        Metric,
        blank=True,
        related_name="guarding_categories",
        help_text=_("Experiments in this category must carry at least one of these as a guardrail."),
    )
    needs_ai_safeguards = models.BooleanField(
        "needs AI safeguards",
        default=False,
        help_text=_(
            "Experiments in this category must state a disclosure, a named human fallback and a "
            "bias/fairness note (reviewed by the standards keeper)."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "sensitive categories"

    def __str__(self):
        return self.name


class GuardrailPolicy(models.Model):
    """The organisation's fence. One row; `GuardrailPolicy.current()` returns it."""

    max_duration_days = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(1)])
    max_exposure_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=50,
        validators=[MinValueValidator(0.01), MaxValueValidator(100)],
        help_text=_("Largest share of eligible traffic one experiment may expose, in percent."),
    )
    mandatory_guardrails = models.ManyToManyField(
        Metric,
        blank=True,
        related_name="mandatory_for_policy",
        help_text=_("Guardrails every experiment must carry, whatever its touchpoint."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "guardrail policy"
        verbose_name_plural = "guardrail policy"

    def __str__(self):
        return f"Guardrail policy (max {self.max_duration_days} days, {self.max_exposure_pct}% exposure)"

    @classmethod
    def current(cls) -> "GuardrailPolicy":
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls.objects.create()


class NeverTestArea(models.Model):
    """An area no experiment may touch at all (legal terms, safety messages): part of the policy.

    It matches a contract by its touchpoints, by keywords in the title or hypothesis, or both:
    with both, a keyword counts only on the touchpoints named. Checked in experiments.contract.
    """

    name = models.CharField(max_length=120, unique=True)
    why = models.TextField(help_text=_("Shown to the proposer who is refused: why this may not be experimented on."))
    touchpoints = models.ManyToManyField(
        Touchpoint,
        blank=True,
        related_name="never_test_areas",
        help_text=_("Touchpoints this area covers. With no keywords, the whole touchpoint is closed to experiments."),
    )
    keywords = models.TextField(
        blank=True,
        help_text=_("One word or phrase a line; an experiment whose title or hypothesis contains one is refused."),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "never-test area"

    def __str__(self):
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]
