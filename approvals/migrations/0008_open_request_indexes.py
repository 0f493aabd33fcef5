"""Indexes for "what waits for me" (approvals.views.waiting), asked on every page for the nav's
badge: on PostgreSQL, the open requests' slots (jsonb containment) and the escalated open
requests, so a person with nothing waiting costs no scan of every open request; and the open
requests oldest first, so the inbox's page of ids stops at its ten. SQLite has no such indexes;
there the rule runs as it is."""

from django.db import migrations

INDEXES = {
    "approvals_open_request_slots": "USING gin (required_slots jsonb_path_ops) WHERE status = 'open'",
    "approvals_open_request_escalated": "(id) WHERE status = 'open' AND escalated_at IS NOT NULL",
    "approvals_open_request_order": "(opened_at, id) WHERE status = 'open'",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, how in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON approvals_approvalrequest {how}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0007_responses"),
    ]

    operations = [migrations.RunPython(create, drop)]
