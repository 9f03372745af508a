"""Entries' subjects get one plain index: `db_index` also made a LIKE (varchar_pattern_ops) index on
PostgreSQL, which no query uses and every appended entry paid for. The existing index is kept (renamed
on PostgreSQL, rebuilt on SQLite, which cannot rename an index), so no table is rewritten."""

from django.db import migrations, models


def _indexes_forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "ledger_logentry_subject_c6c2f61d_like"')
        schema_editor.execute('ALTER INDEX IF EXISTS "ledger_logentry_subject_c6c2f61d" RENAME TO "ledger_entry_subject"')
    else:
        schema_editor.execute('DROP INDEX IF EXISTS "ledger_logentry_subject_c6c2f61d"')
        schema_editor.execute('CREATE INDEX "ledger_entry_subject" ON "ledger_logentry" ("subject")')


def _indexes_backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER INDEX "ledger_entry_subject" RENAME TO "ledger_logentry_subject_c6c2f61d"')
        schema_editor.execute('CREATE INDEX "ledger_logentry_subject_c6c2f61d_like" ON "ledger_logentry"'
                              ' ("subject" varchar_pattern_ops)')
    else:
        schema_editor.execute('DROP INDEX "ledger_entry_subject"')
        schema_editor.execute('CREATE INDEX "ledger_logentry_subject_c6c2f61d" ON "ledger_logentry" ("subject")')


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='logentry',
                    name='subject',
                    field=models.CharField(max_length=512, verbose_name='主体'),
                ),
                migrations.AddIndex(
                    model_name='logentry',
                    index=models.Index(fields=['subject'], name='ledger_entry_subject'),
                ),
            ],
            database_operations=[migrations.RunPython(_indexes_forward, _indexes_backward)],
        ),
    ]
