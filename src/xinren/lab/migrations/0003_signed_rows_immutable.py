"""Signed rows of this context cannot be changed or deleted: the database refuses it (core.immutable, ADR 0017).

The columns are those of the signed-record declarations in statements.py at the time of this migration; a test
compares the triggers in the database with the declarations, so a change to them needs a migration like this one.
"""

from django.db import migrations

from xinren.core.immutable import SignedTable, signed_rows_immutable

TABLES = [
    SignedTable(table='trace_labreport', leaf_hash='ledger_leaf_hash',
                protected=('report_id', 'lab_id', 'batch_id', 'accreditation', 'sample_id', 'sampled_at', 'method', 'table_version')),
]
CHILDREN = ['trace_labmeasurement']


class Migration(migrations.Migration):

    dependencies = [("lab", "0002_report_category")]

    operations = [signed_rows_immutable(TABLES, CHILDREN)]
