"""Alliances declare their regions as GB/T 2260 codes and programmes carry one (ADR 0039).

Existing programmes get the code the table reads from their region text (none when it reads nothing: such a
programme shows no badge until its alliance picks a code), and each alliance is taken to have declared the codes
its programmes already use, so that nothing it runs today stops.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from xinren.core.immutable import SignedTable, create_sql, drop_sql, signed_rows_immutable
from xinren.core.regions import region_code_from_text

# SQLite rebuilds trust_programme to add a column, which drops its triggers: they are lifted for the change and
# installed again at the end (core.immutable).
TABLES = [
    SignedTable(table='trust_programme', leaf_hash='ledger_leaf_hash',
                protected=('alliance_id', 'code'), superseded=True, optional=True),
]


def _triggers(create):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in (create_sql if create else drop_sql)(TABLES, [], vendor=vendor):
            schema_editor.execute(statement)
    return operation


def programmes_coded(apps, schema_editor):
    Programme = apps.get_model("trust", "Programme")
    AllianceRegion = apps.get_model("trust", "AllianceRegion")
    now = timezone.now()
    for programme in Programme.objects.all():
        code = region_code_from_text(programme.region)
        if code is None:
            continue
        Programme.objects.filter(pk=programme.pk).update(region_code=code)
        AllianceRegion.objects.get_or_create(alliance_id=programme.alliance_id, code=code, defaults={"declared_at": now})


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('trust', '0003_signed_rows_immutable'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_triggers(False), _triggers(True)),
        migrations.AddField(
            model_name='programme',
            name='region_code',
            field=models.CharField(blank=True, help_text='GB/T 2260 行政区划代码', max_length=6, verbose_name='地区代码'),
        ),
        migrations.AlterField(
            model_name='programme',
            name='region',
            field=models.CharField(help_text='商品产地须在此地区之内，如 云南省昆明市', max_length=128, verbose_name='地区'),
        ),
        migrations.CreateModel(
            name='AllianceRegion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=6, verbose_name='地区代码')),
                ('declared_at', models.DateTimeField(verbose_name='声明时间')),
                ('alliance', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alliance_regions', to='accounts.organization')),
                ('declared_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '联盟地区',
                'verbose_name_plural': '联盟地区',
                'ordering': ['code'],
                'constraints': [models.UniqueConstraint(fields=('alliance', 'code'), name='alliance_region_unique'), models.CheckConstraint(condition=models.Q(('code__regex', '^[0-9]{6}$')), name='alliance_region_six_digits')],
            },
        ),
        migrations.RunPython(programmes_coded, migrations.RunPython.noop),
        signed_rows_immutable(TABLES),
    ]
