"""Audit rows hash-chained (finding 7), the staff member's name kept on each row, and the
per-person index of audit rows for the subject access report (finding 9).

Existing rows are chained in id order and indexed here; the append-only triggers are lifted
for the length of this migration (one transaction) and put back at its end.
"""

from django.db import migrations, models

from wraparound.governance import audit_chain, audit_guard


def chain_existing_rows(apps, schema_editor) -> None:
    AuditEntry = apps.get_model("governance", "AuditEntry")
    AuditPersonIndex = apps.get_model("governance", "AuditPersonIndex")
    User = apps.get_model("auth", "User")
    db = schema_editor.connection.alias
    names = {
        u.pk: (f"{u.first_name} {u.last_name}".strip() or u.username)
        for u in User.objects.using(db).all()
    }
    head = audit_chain.GENESIS
    batch, index = [], []
    for entry in AuditEntry.objects.using(db).order_by("id").iterator(chunk_size=2000):
        if not entry.staff_name and entry.user_id in names:
            entry.staff_name = names[entry.user_id]
        entry.prev_hash = head
        entry.hash = audit_chain.row_hash(head, audit_chain.values_of(entry))
        head = entry.hash
        batch.append(entry)
        index += [
            AuditPersonIndex(entry_id=entry.id, person_id=pid)
            for pid in audit_chain.people_shown(entry.person_id, entry.detail)
        ]
        if len(batch) >= 1000:
            AuditEntry.objects.using(db).bulk_update(batch, ["staff_name", "prev_hash", "hash"])
            AuditPersonIndex.objects.using(db).bulk_create(index)
            batch, index = [], []
    AuditEntry.objects.using(db).bulk_update(batch, ["staff_name", "prev_hash", "hash"])
    AuditPersonIndex.objects.using(db).bulk_create(index)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("governance", "0003_audit_actions_and_restricted_search_tokens"),
    ]

    operations = [
        migrations.RunPython(audit_guard.uninstall, audit_guard.install),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="staff_name",
            field=models.CharField(blank=True, db_default="", default="", max_length=300),
        ),
        migrations.CreateModel(
            name="AuditPersonIndex",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("entry_id", models.BigIntegerField()),
                ("person_id", models.BigIntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["person_id", "entry_id"], name="audit_person_entry")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("entry_id", "person_id"), name="uniq_audit_person"
                    )
                ],
            },
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.RunPython(audit_guard.install, audit_guard.uninstall),
        migrations.RunPython(audit_guard.install_index_guard, audit_guard.uninstall_index_guard),
    ]
