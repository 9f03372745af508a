"""Signed rows of this context cannot be changed or deleted: the database refuses it (core.immutable, ADR 0017).

The columns are those of the signed-record declarations in statements.py at the time of this migration; a test
compares the triggers in the database with the declarations, so a change to them needs a migration like this one.
"""

from django.db import migrations

from xinren.core.immutable import SignedTable, signed_rows_immutable

TABLES = [
    SignedTable(table='coldchain_coldchainprofile', leaf_hash='ledger_leaf_hash',
                protected=('product_id', 'temperature_min', 'temperature_max', 'humidity_min', 'humidity_max', 'tolerance_minutes', 'version'), superseded=True),
    SignedTable(table='coldchain_promise', leaf_hash='ledger_leaf_hash',
                protected=('product_id', 'kind', 'hours', 'text', 'active'), superseded=True),
    SignedTable(table='coldchain_readingbatch', leaf_hash='ledger_leaf_hash',
                protected=('leg_id', 'count', 'first_time', 'last_time', 'sha256', 'statement')),
]
CHILDREN = ['coldchain_reading']


class Migration(migrations.Migration):

    dependencies = [("coldchain", "0001_initial")]

    operations = [signed_rows_immutable(TABLES, CHILDREN)]
