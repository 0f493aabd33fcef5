"""ICE (the default) and PIE, each criterion 1-10 with equal weight; edit or add models in the admin."""

from django.db import migrations
from django.utils.translation import gettext_noop

# gettext_noop marks the seeded names for translation (cadence.ideas.models.ScoringCriterion.label); stored in English.

MODELS = [
    (
        "ICE",
        True,
        "Impact, confidence, ease.",
        [
            ("impact", gettext_noop("Impact"), gettext_noop("How much would it move the customer metric?")),
            ("confidence", gettext_noop("Confidence"), gettext_noop("How sure are we it works?")),
            ("ease", gettext_noop("Ease"), gettext_noop("How cheap and quick is it to try?")),
        ],
    ),
    (
        "PIE",
        False,
        "Potential, importance, ease.",
        [
            ("potential", gettext_noop("Potential"), gettext_noop("How much room for improvement is there?")),
            (
                "importance",
                gettext_noop("Importance"),
                gettext_noop("How much traffic or value passes this touchpoint?"),
            ),
            ("ease", gettext_noop("Ease"), gettext_noop("How cheap and quick is it to try?")),
        ],
    ),
]


def seed(apps, schema_editor):
    ScoringModel = apps.get_model("ideas", "ScoringModel")
    ScoringCriterion = apps.get_model("ideas", "ScoringCriterion")
    for name, default, description, criteria in MODELS:
        model, created = ScoringModel.objects.get_or_create(
            name=name, defaults={"is_default": default, "description": description}
        )
        if not created:
            continue
        for position, (key, label, question) in enumerate(criteria):
            ScoringCriterion.objects.create(
                model=model, key=key, name=label, question=question, weight=1.0, position=position
            )


class Migration(migrations.Migration):
    dependencies = [("ideas", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
