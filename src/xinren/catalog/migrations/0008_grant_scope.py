"""Partner grants get a scope (one product or one lot) and an end date (ADR 0039).

Grants made before this migration covered all of the owner's products with no end date. They are kept working
and marked as such (legacy_all_products): the console shows them as 旧授权 and asks the merchant to narrow them.
"""

import django.db.models.deletion
from django.db import migrations, models


def grants_mark_legacy(apps, schema_editor):
    apps.get_model("catalog", "PartnerGrant").objects.update(legacy_all_products=True)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0007_label_sheets'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='partnergrant',
            options={'ordering': ['-created_at', '-id'], 'verbose_name': '合作授权', 'verbose_name_plural': '合作授权'},
        ),
        migrations.RemoveConstraint(
            model_name='partnergrant',
            name='grant_unique_owner_partner',
        ),
        migrations.AddField(
            model_name='partnergrant',
            name='batch',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='grants', to='catalog.batch', verbose_name='批次'),
        ),
        migrations.AddField(
            model_name='partnergrant',
            name='ends_on',
            field=models.DateField(blank=True, null=True, verbose_name='截止日期'),
        ),
        migrations.AddField(
            model_name='partnergrant',
            name='legacy_all_products',
            field=models.BooleanField(default=False, verbose_name='旧授权（全部商品）'),
        ),
        migrations.AddField(
            model_name='partnergrant',
            name='product',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='grants', to='catalog.product', verbose_name='商品'),
        ),
        migrations.RunPython(grants_mark_legacy, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='partnergrant',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('batch__isnull', True), ('legacy_all_products', False), ('product__isnull', False)), models.Q(('batch__isnull', False), ('legacy_all_products', False), ('product__isnull', True)), models.Q(('batch__isnull', True), ('legacy_all_products', True), ('product__isnull', True)), _connector='OR'), name='grant_one_scope'),
        ),
        migrations.AddConstraint(
            model_name='partnergrant',
            constraint=models.CheckConstraint(condition=models.Q(('legacy_all_products', True), ('ends_on__isnull', False), _connector='OR'), name='grant_ends_unless_legacy'),
        ),
        migrations.AddConstraint(
            model_name='partnergrant',
            constraint=models.UniqueConstraint(condition=models.Q(('product__isnull', False), ('revoked_at__isnull', True)), fields=('owner', 'partner', 'product'), name='grant_unique_live_product'),
        ),
        migrations.AddConstraint(
            model_name='partnergrant',
            constraint=models.UniqueConstraint(condition=models.Q(('batch__isnull', False), ('revoked_at__isnull', True)), fields=('owner', 'partner', 'batch'), name='grant_unique_live_batch'),
        ),
    ]
