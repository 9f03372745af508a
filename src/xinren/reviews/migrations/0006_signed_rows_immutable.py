"""Signed rows of this context cannot be changed or deleted: the database refuses it (core.immutable, ADR 0017).

The columns are those of the signed-record declarations in statements.py at the time of this migration; a test
compares the triggers in the database with the declarations, so a change to them needs a migration like this one.
"""

import importlib

from django.db import migrations

from xinren.core.immutable import SignedTable, signed_rows_immutable

OLD = importlib.import_module("xinren.reviews.migrations.0002_review_immutable_trigger")


def _drop_old_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    OLD.backwards(apps, schema_editor)


def _restore_old_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    OLD.forwards(apps, schema_editor)


TABLES = [
    SignedTable(table='reviews_diaryentry', leaf_hash='ledger_leaf_hash',
                protected=('review_id', 'milestone', 'text')),
    SignedTable(table='reviews_fold', leaf_hash='ledger_leaf_hash',
                protected=('review_id', 'source', 'reason')),
    SignedTable(table='reviews_reply', leaf_hash='ledger_leaf_hash',
                protected=('review_id', 'merchant_id', 'text')),
    SignedTable(table='reviews_review', leaf_hash='ledger_leaf_hash',
                protected=('line_id', 'consumer_id', 'product_id', 'merchant_id', 'reviewer', 'stars', 'text', 'tags', 'verified_purchase', 'purchase_salt')),
]
CHILDREN = ['reviews_reviewmedia']


class Migration(migrations.Migration):

    dependencies = [("reviews", "0005_review_purchase_salt")]

    # The signed-row triggers protect a review's stars and text (and the rest of what was signed); the older trigger
    # of 0002, which protected only those two, goes.
    operations = [
        migrations.RunPython(_drop_old_trigger, _restore_old_trigger, elidable=False),
        signed_rows_immutable(TABLES, CHILDREN),
    ]
