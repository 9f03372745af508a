"""Item deliveries: when each item reached its buyer, so that promises are measured per item (ADR 0036).

The rows are filled from the delivery receipts already recorded: a receiving event naming items, with no place (the
buyer's address never enters the log), not a return, not declared erroneous; the platform signs a buyer's own
confirmation. An item's latest receipt wins.
"""

import django.db.models.deletion
from django.db import migrations, models


def deliveries_fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    EventSubject = apps.get_model("trace", "EventSubject")
    TraceEvent = apps.get_model("trace", "TraceEvent")
    ItemDelivery = apps.get_model("coldchain", "ItemDelivery")
    declared = set(TraceEvent.objects.filter(is_error_declaration=True).values_list("event_id", flat=True))
    rows = (
        EventSubject.objects.filter(
            item__isnull=False, event__is_error_declaration=False, event__biz_step="receiving",
            event__place__isnull=True, event__biz_location="", event__read_point="",
        )
        .exclude(event__disposition="returned")
        .values_list("item_id", "batch_id", "event_id", "event__event_id", "event__event_time",
                     "event__organization__kind")
        .order_by("event__event_time", "event_id")
    )
    latest = {}
    for item_id, batch_id, event_pk, event_id, at, kind in rows.iterator(chunk_size=2000):
        if event_id not in declared:
            latest[item_id] = ItemDelivery(item_id=item_id, batch_id=batch_id, delivery_event_id=event_pk,
                                           delivered_at=at, by_buyer=kind == "platform")
    ItemDelivery.objects.bulk_create(latest.values(), batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0004_photo_variants'),
        ('coldchain', '0002_signed_rows_immutable'),
        ('trace', '0007_signed_rows_immutable'),
    ]

    operations = [
        migrations.CreateModel(
            name='ItemDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('delivered_at', models.DateTimeField(verbose_name='送达时间')),
                ('by_buyer', models.BooleanField(default=False, verbose_name='买家确认')),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coldchain_deliveries', to='catalog.batch')),
                ('delivery_event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='coldchain_deliveries', to='trace.traceevent')),
                ('item', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='coldchain_delivery', to='catalog.item')),
            ],
            options={
                'verbose_name': '单品送达',
                'verbose_name_plural': '单品送达',
                'indexes': [models.Index(fields=['batch', 'delivered_at'], name='coldchain_i_batch_i_2673e6_idx')],
            },
        ),
        migrations.RunPython(deliveries_fill, migrations.RunPython.noop),
    ]
