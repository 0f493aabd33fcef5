from django.db import migrations


def seed(apps, schema_editor):
    from experiments.catalogue_seed import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("experiments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
