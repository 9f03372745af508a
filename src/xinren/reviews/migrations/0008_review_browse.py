"""The review list (filters 有图 / 追评 / by tag, keyset pages): derived columns, the tag index and their indexes.

`has_media` and `has_diary` are nullable so that SQLite adds them with ALTER TABLE ADD COLUMN instead of rebuilding
the table (a rebuild would drop the signed-row triggers of 0006); they are not signed columns, so filling them here
is an UPDATE the triggers allow. Tag rows are copied from each review's signed `tags`.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Review = apps.get_model("reviews", "Review")
    ReviewTag = apps.get_model("reviews", "ReviewTag")
    ReviewMedia = apps.get_model("reviews", "ReviewMedia")
    DiaryEntry = apps.get_model("reviews", "DiaryEntry")
    with_media = set(ReviewMedia.objects.values_list("review_id", flat=True).distinct())
    with_diary = set(DiaryEntry.objects.values_list("review_id", flat=True).distinct())
    Review.objects.filter(pk__in=with_media).update(has_media=True)
    Review.objects.exclude(pk__in=with_media).update(has_media=False)
    Review.objects.filter(pk__in=with_diary).update(has_diary=True)
    Review.objects.exclude(pk__in=with_diary).update(has_diary=False)
    rows = []
    for review_id, product_id, status, created_at, tags in Review.objects.values_list(
        "pk", "product_id", "status", "created_at", "tags"
    ).iterator(chunk_size=2000):
        for tag in dict.fromkeys(str(tag).strip() for tag in (tags or []) if str(tag).strip()):
            rows.append(ReviewTag(review_id=review_id, product_id=product_id, tag=tag[:24], status=status,
                                  created_at=created_at))
        if len(rows) >= 5000:
            ReviewTag.objects.bulk_create(rows)
            rows = []
    ReviewTag.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_costs_moved_out'),
        ('orders', '0002_shipment_receipt_event'),
        ('reviews', '0007_delete_notification'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReviewTag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tag', models.CharField(max_length=24, verbose_name='标签')),
                ('status', models.CharField(choices=[('visible', '已展示'), ('folded', '已折叠')], default='visible', max_length=16)),
                ('created_at', models.DateTimeField()),
            ],
            options={
                'verbose_name': '评价标签',
                'verbose_name_plural': '评价标签',
            },
        ),
        migrations.AddField(
            model_name='review',
            name='has_diary',
            field=models.BooleanField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='review',
            name='has_media',
            field=models.BooleanField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['product', 'status', 'created_at', 'id'], name='review_list_page'),
        ),
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['product', 'status', 'has_media', 'created_at', 'id'], name='review_list_media'),
        ),
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['product', 'status', 'has_diary', 'created_at', 'id'], name='review_list_diary'),
        ),
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['product', 'status', 'stars', 'created_at', 'id'], name='review_list_stars'),
        ),
        migrations.AddField(
            model_name='reviewtag',
            name='product',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.product'),
        ),
        migrations.AddField(
            model_name='reviewtag',
            name='review',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='tag_rows', to='reviews.review'),
        ),
        migrations.AddIndex(
            model_name='reviewtag',
            index=models.Index(fields=['product', 'status', 'tag', 'created_at', 'review'], name='review_tag_page'),
        ),
        migrations.AddConstraint(
            model_name='reviewtag',
            constraint=models.UniqueConstraint(fields=('review', 'tag'), name='review_tag_once'),
        ),
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['product', 'status', 'stars', 'has_media', 'has_diary'], name='review_list_summary'),
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop, elidable=True),
    ]
