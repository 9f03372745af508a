# Cost breakdowns become a context of their own (ADR 0014). The table was created by catalog 0002 and keeps its
# name: this migration only adds the model to the costs app's state, and relabels its content type.

import django.db.models.deletion
import django.db.models.expressions
import xinren.core.money
from django.conf import settings
from django.db import migrations, models

from xinren.core.model_moves import content_types_moved


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalog', '0002_cost_breakdown'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CostBreakdown',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('version', models.PositiveIntegerField(verbose_name='版本')),
                        ('price_fen', xinren.core.money.FenField(verbose_name='售价（分）')),
                        ('raw_material', xinren.core.money.FenField(verbose_name='原料')),
                        ('processing', xinren.core.money.FenField(verbose_name='加工')),
                        ('packaging', xinren.core.money.FenField(verbose_name='包装')),
                        ('logistics', xinren.core.money.FenField(verbose_name='物流')),
                        ('platform_fees', xinren.core.money.FenField(verbose_name='平台费用')),
                        ('profit', xinren.core.money.FenField(verbose_name='利润')),
                        ('published_at', models.DateTimeField(verbose_name='发布时间')),
                        ('ledger_leaf_hash', models.CharField(db_index=True, max_length=64, verbose_name='日志叶哈希')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cost_breakdowns', to='catalog.product')),
                        ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'catalog_costbreakdown',
                        'verbose_name': '成本构成',
                        'verbose_name_plural': '成本构成',
                        'ordering': ['product', '-version'],
                        'constraints': [models.UniqueConstraint(fields=('product', 'version'), name='cost_breakdown_unique_version'), models.CheckConstraint(condition=models.Q(('price_fen__gt', 0), ('raw_material__gte', 0), ('processing__gte', 0), ('packaging__gte', 0), ('logistics__gte', 0), ('platform_fees__gte', 0), ('profit__gte', 0)), name='cost_breakdown_non_negative'), models.CheckConstraint(condition=models.Q(('price_fen', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('raw_material'), '+', models.F('processing')), '+', models.F('packaging')), '+', models.F('logistics')), '+', models.F('platform_fees')), '+', models.F('profit')))), name='cost_breakdown_sums_to_price')],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_moved(old_label='catalog', new_label='costs', models=['costbreakdown']),
    ]
