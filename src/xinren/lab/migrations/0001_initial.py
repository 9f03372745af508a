# Lab reports become a context of their own (ADR 0014). The tables were created by trace 0003 and keep their
# names: this migration only adds the models to the lab app's state, and relabels their content types.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

from xinren.core.model_moves import content_types_moved


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_signingkey'),
        ('catalog', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('trace', '0003_lab_reports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LabReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('report_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='报告编号')),
                        ('accreditation', models.CharField(max_length=32, verbose_name='资质编号')),
                        ('sample_id', models.CharField(max_length=64, verbose_name='样品编号')),
                        ('sampled_at', models.DateTimeField(verbose_name='抽样时间')),
                        ('method', models.CharField(max_length=255, verbose_name='检测方法')),
                        ('table_version', models.CharField(max_length=16, verbose_name='限值表版本')),
                        ('self_signed', models.BooleanField(default=False, verbose_name='机构自签')),
                        ('ledger_leaf_hash', models.CharField(db_index=True, max_length=64, verbose_name='日志叶哈希')),
                        ('batch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lab_reports', to='catalog.batch')),
                        ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('lab', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lab_reports', to='accounts.organization')),
                    ],
                    options={
                        'db_table': 'trace_labreport',
                        'verbose_name': '检测报告',
                        'verbose_name_plural': '检测报告',
                        'ordering': ['-sampled_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='LabMeasurement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField()),
                        ('indicator', models.CharField(max_length=64, verbose_name='指标')),
                        ('value', models.DecimalField(blank=True, decimal_places=6, max_digits=18, null=True, verbose_name='检测值')),
                        ('not_detected', models.BooleanField(default=False, verbose_name='未检出')),
                        ('unit', models.CharField(max_length=16, verbose_name='单位')),
                        ('lod', models.DecimalField(blank=True, decimal_places=6, max_digits=18, null=True, verbose_name='检出限')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='measurements', to='lab.labreport')),
                    ],
                    options={
                        'db_table': 'trace_labmeasurement',
                        'verbose_name': '检测项目',
                        'verbose_name_plural': '检测项目',
                        'ordering': ['report', 'position'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='labreport',
                    constraint=models.UniqueConstraint(fields=('lab', 'sample_id'), name='lab_report_unique_lab_sample'),
                ),
                migrations.AddConstraint(
                    model_name='labmeasurement',
                    constraint=models.UniqueConstraint(fields=('report', 'indicator'), name='lab_measurement_unique_indicator'),
                ),
                migrations.AddConstraint(
                    model_name='labmeasurement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('not_detected', True), ('value__isnull', True)), models.Q(('not_detected', False), ('value__gte', 0), ('value__isnull', False)), _connector='OR'), name='lab_measurement_value_or_not_detected'),
                ),
                migrations.AddConstraint(
                    model_name='labmeasurement',
                    constraint=models.CheckConstraint(condition=models.Q(('lod__isnull', True), ('lod__gte', 0), _connector='OR'), name='lab_measurement_lod_non_negative'),
                ),
            ],
            database_operations=[],
        ),
        content_types_moved(old_label='trace', new_label='lab', models=['labreport', 'labmeasurement']),
    ]
