"""Signed delistings and appeals cannot be changed or deleted, nor the lines of a product's public delisting history:
the database refuses it (core.immutable, ADR 0017).

The columns are those of the signed-record declarations in delisting/statements.py at the time of this migration; a
test compares the triggers in the database with the declarations, so a change to them needs a migration like this
one.
"""

from django.db import migrations

from xinren.core.immutable import SignedTable, signed_rows_immutable

TABLES = [
    SignedTable(table="trust_delisting", leaf_hash="leaf_hash",
                protected=("product_id", "suspension_id", "policy", "version", "score", "sd", "upper", "bar",
                           "components", "created_at")),
    SignedTable(table="trust_delistingappeal", leaf_hash="decision_leaf_hash",
                protected=("status", "decided_by_id", "decision_reason", "decided_at"), optional=True),
    SignedTable(table="trust_delistingappeal", leaf_hash="leaf_hash",
                protected=("delisting_id", "reason", "created_at")),
]
CHILDREN = ["trust_delistingentry"]


class Migration(migrations.Migration):

    dependencies = [("trust", "0009_score_publish_pending")]

    operations = [signed_rows_immutable(TABLES, CHILDREN)]
