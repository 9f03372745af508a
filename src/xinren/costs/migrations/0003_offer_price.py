"""A cost breakdown names the offer whose price it was published against and the version it supersedes (ADR 0035).

Both columns are signed content (the statement's `offer` and `corrects`), so the signed-row triggers are reinstalled
with them (core.immutable; on SQLite adding the one-to-one column rebuilds the table, which drops its triggers).
Existing rows keep NULL in both: their statements named neither, and pages compare their price (their lines' total)
with the current price at read time.
"""

import django.db.models.deletion
from django.db import migrations, models

from xinren.core.immutable import SignedTable, create_sql, drop_sql, signed_rows_immutable

LINES = ('raw_material', 'processing', 'packaging', 'logistics', 'platform_fees', 'profit')
BEFORE = [
    SignedTable(table='catalog_costbreakdown', leaf_hash='ledger_leaf_hash',
                protected=('product_id', 'version', 'price_fen', *LINES)),
]
TABLES = [
    SignedTable(table='catalog_costbreakdown', leaf_hash='ledger_leaf_hash',
                protected=('product_id', 'version', 'price_fen', *LINES, 'offer_id', 'supersedes_id')),
]


def _triggers(tables, *, create):  # type: ignore[no-untyped-def]
    def operation(apps, schema_editor):  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        for statement in (create_sql if create else drop_sql)(tables, [], vendor=vendor):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):

    dependencies = [
        ('costs', '0002_signed_rows_immutable'),
    ]

    operations = [
        migrations.RunPython(_triggers(BEFORE, create=False), _triggers(BEFORE, create=True), elidable=False),
        migrations.AddField(
            model_name='costbreakdown',
            name='offer_id',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='报价'),
        ),
        migrations.AddField(
            model_name='costbreakdown',
            name='supersedes',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='superseded_by', to='costs.costbreakdown', verbose_name='取代的版本'),
        ),
        signed_rows_immutable(TABLES),
    ]
