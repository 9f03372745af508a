"""Signed rows of this context cannot be changed or deleted: the database refuses it (core.immutable, ADR 0017).

The columns are those of the signed-record declarations in statements.py at the time of this migration; a test
compares the triggers in the database with the declarations, so a change to them needs a migration like this one.
"""

from django.db import migrations

from xinren.core.immutable import SignedTable, signed_rows_immutable

TABLES = [
    SignedTable(table='evidence_evidence', leaf_hash='leaf_hash',
                protected=('organization_id', 'media_id', 'product_id', 'batch_id', 'event_id', 'purpose', 'caption', 'taken_at')),
    SignedTable(table='evidence_evidence', leaf_hash='withdrawal_leaf_hash',
                protected=(), optional=True),
]
CHILDREN = []


class Migration(migrations.Migration):

    dependencies = [("evidence", "0001_initial")]

    operations = [signed_rows_immutable(TABLES, CHILDREN)]
