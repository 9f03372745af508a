"""Signed rows of this context cannot be changed or deleted: the database refuses it (core.immutable, ADR 0017).

The columns are those of the signed-record declarations in statements.py at the time of this migration; a test
compares the triggers in the database with the declarations, so a change to them needs a migration like this one.
"""

from django.db import migrations

from xinren.core.immutable import SignedTable, signed_rows_immutable

TABLES = [
    SignedTable(table='catalog_productfacts', leaf_hash='ledger_leaf_hash',
                protected=('product_id', 'version', 'name', 'category', 'origin_region', 'origin_place',
                           'net_content_amount', 'net_content_unit', 'shelf_life_days', 'ingredients', 'description',
                           'supersedes')),
]


class Migration(migrations.Migration):

    dependencies = [("catalog", "0005_product_facts")]

    operations = [signed_rows_immutable(TABLES)]
