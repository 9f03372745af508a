"""Signed rows of this context cannot be changed or deleted: the database refuses it (core.immutable, ADR 0017).

The columns are those of the signed-record declarations in statements.py at the time of this migration; a test
compares the triggers in the database with the declarations, so a change to them needs a migration like this one.
"""

from django.db import migrations

from xinren.core.immutable import SignedTable, signed_rows_immutable

TABLES = [
    SignedTable(table='community_tierchange', leaf_hash='ledger_leaf_hash',
                protected=('consumer_id', 'from_tier', 'to_tier', 'metrics', 'criteria_version')),
    SignedTable(table='community_trialevent', leaf_hash='ledger_leaf_hash',
                protected=('merchant_id', 'product_id', 'kind', 'title', 'slots', 'starts_on', 'ends_on')),
    SignedTable(table='community_trialparticipation', leaf_hash='ledger_leaf_hash',
                protected=('event_id', 'consumer_id'), optional=True),
]
CHILDREN = []


class Migration(migrations.Migration):

    dependencies = [("community", "0001_initial")]

    operations = [signed_rows_immutable(TABLES, CHILDREN)]
