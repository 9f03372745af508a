"""The LSH band index of review MinHash signatures (ADR 0011), backfilled for every review that has a signature.

The backfill walks reviews by id in chunks and writes 16 rows per review; texts under minhash.MIN_CHARS have an
empty signature and get none. It uses minhash.band_hashes, whose output is fixed (changing it invalidates rows).
"""

import django.db.models.deletion
from django.db import migrations, models

from xinren.reviews.minhash import band_hashes

CHUNK = 2000


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Write the band rows of every existing review with a non-empty signature; returns how many reviews."""
    Review = apps.get_model("reviews", "Review")
    ReviewBand = apps.get_model("reviews", "ReviewBand")
    last, done = 0, 0
    while True:
        chunk = list(
            Review.objects.filter(pk__gt=last).order_by("pk")
            .values_list("pk", "consumer_id", "created_at", "minhash")[:CHUNK]
        )
        if not chunk:
            return done
        rows = [
            ReviewBand(review_id=pk, band=band, hash=value, consumer_id=consumer_id, created_at=created_at)
            for pk, consumer_id, created_at, signature in chunk
            for band, value in band_hashes(signature or [])
        ]
        ReviewBand.objects.bulk_create(rows, batch_size=1000)
        done += len({row.review_id for row in rows})
        last = chunk[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0003_review_media'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReviewBand',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('band', models.PositiveSmallIntegerField()),
                ('hash', models.BigIntegerField()),
                ('consumer_id', models.BigIntegerField()),
                ('created_at', models.DateTimeField()),
                ('review', models.ForeignKey(
                    db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='bands',
                    to='reviews.review',
                )),
            ],
            options={
                'verbose_name': '评价相似度索引',
                'verbose_name_plural': '评价相似度索引',
                'indexes': [models.Index(fields=['band', 'hash', 'created_at'], name='review_band_lookup')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
