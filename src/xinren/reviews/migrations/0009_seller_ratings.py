"""The detailed seller ratings (描述相符 / 服务态度 / 物流服务, 1–5): three nullable columns on Review, signed with it.

Earlier reviews never had them and keep null. The columns are signed (`seller_ratings` in the review statement), so
the review's signed-row triggers are installed again with them among the protected columns; and since the check
constraint makes SQLite rebuild the table (which drops its triggers), the old ones are dropped before and the new
ones installed after, on both databases alike.
"""

from django.db import migrations, models

from xinren.core.immutable import SignedTable, signed_rows_immutable

BEFORE = SignedTable(
    table='reviews_review', leaf_hash='ledger_leaf_hash',
    protected=('line_id', 'consumer_id', 'product_id', 'merchant_id', 'reviewer', 'stars', 'text', 'tags',
               'verified_purchase', 'purchase_salt'),
)
AFTER = SignedTable(
    table='reviews_review', leaf_hash='ledger_leaf_hash',
    protected=BEFORE.protected + ('rating_description', 'rating_service', 'rating_logistics'),
)


def _reversed(operation):  # type: ignore[no-untyped-def]
    """The same RunPython with forwards and backwards swapped: removes the triggers going forwards."""
    return migrations.RunPython(operation.reverse_code, operation.code, elidable=False)


class Migration(migrations.Migration):

    dependencies = [("reviews", "0008_review_browse")]

    operations = [
        _reversed(signed_rows_immutable([BEFORE])),
        migrations.AddField(
            model_name='review',
            name='rating_description',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='描述相符'),
        ),
        migrations.AddField(
            model_name='review',
            name='rating_service',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='服务态度'),
        ),
        migrations.AddField(
            model_name='review',
            name='rating_logistics',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='物流服务'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(('rating_description__isnull', True),
                             models.Q(('rating_description__gte', 1), ('rating_description__lte', 5)),
                             _connector='OR'),
                    models.Q(('rating_service__isnull', True),
                             models.Q(('rating_service__gte', 1), ('rating_service__lte', 5)),
                             _connector='OR'),
                    models.Q(('rating_logistics__isnull', True),
                             models.Q(('rating_logistics__gte', 1), ('rating_logistics__lte', 5)),
                             _connector='OR'),
                ),
                name='review_seller_ratings_1_to_5',
            ),
        ),
        signed_rows_immutable([AFTER]),
    ]
