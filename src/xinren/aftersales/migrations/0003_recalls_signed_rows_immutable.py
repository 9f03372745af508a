"""Signed recalls cannot be changed or deleted: the database refuses it (core.immutable, ADR 0017).

The columns are those of the signed-record declaration in aftersales/recalls/statements.py at the time of this
migration; a test compares the triggers in the database with the declarations, so a change to them needs a
migration like this one.
"""

from django.db import migrations

from xinren.core.immutable import SignedTable, signed_rows_immutable

TABLES = [
    SignedTable(table="aftersales_recall", leaf_hash="ledger_leaf_hash",
                protected=("organization_id", "product_id", "batch_id", "scope", "reason", "issued_at",
                           "items_total")),
]
CHILDREN = ["aftersales_recallitem"]


class Migration(migrations.Migration):

    dependencies = [("aftersales", "0002_recalls")]

    operations = [signed_rows_immutable(TABLES, CHILDREN)]
