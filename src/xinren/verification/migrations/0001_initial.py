# Third-party verification was the app labelled "governance"; it is now the verification context and the governance
# label is the merchant-governance context's (ADR 0014). The tables were created by governance 0001 and keep their
# names: this migration only adds the models to the verification app's state, and relabels their content types.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from xinren.core.model_moves import content_types_moved


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_signingkey'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('governance', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Credential',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('kind', models.CharField(choices=[('organic', '有机产品认证'), ('geo_indication', '地理标志产品'), ('business_credit', '企业信用/工商登记')], max_length=16, verbose_name='证照类型')),
                        ('number', models.CharField(max_length=64, verbose_name='证书编号')),
                        ('holder_name', models.CharField(max_length=128, verbose_name='持有人名称')),
                        ('status', models.CharField(choices=[('verified', '核验通过'), ('failed', '核验未通过'), ('withdrawn', '已撤回')], max_length=16, verbose_name='状态')),
                        ('evidence_leaf_hash', models.CharField(blank=True, max_length=64, verbose_name='证据叶哈希')),
                        ('evidence_id', models.BigIntegerField(blank=True, null=True, verbose_name='证据编号')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credentials', to='accounts.organization')),
                        ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'governance_credential',
                        'verbose_name': '资质证书',
                        'verbose_name_plural': '资质证书',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='CredentialCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('organic', '有机产品认证'), ('geo_indication', '地理标志产品'), ('business_credit', '企业信用/工商登记')], max_length=16, verbose_name='证照类型')),
                        ('number', models.CharField(max_length=64, verbose_name='证书编号')),
                        ('holder_name', models.CharField(max_length=128, verbose_name='持有人名称')),
                        ('holder_uscc', models.CharField(blank=True, max_length=18, verbose_name='持有人统一社会信用代码')),
                        ('verifier', models.CharField(max_length=32, verbose_name='核验方式')),
                        ('source', models.CharField(blank=True, max_length=128, verbose_name='数据来源')),
                        ('status', models.CharField(choices=[('valid', '有效'), ('expired', '已过期'), ('revoked', '已撤销'), ('not_found', '查无此证'), ('mismatch', '持有人不符')], max_length=16, verbose_name='核验结果')),
                        ('checked_at', models.DateTimeField(verbose_name='核验时间')),
                        ('valid_until', models.DateField(blank=True, null=True, verbose_name='有效期至')),
                        ('details', models.JSONField(blank=True, default=dict, verbose_name='详情')),
                        ('ledger_leaf_hash', models.CharField(db_index=True, max_length=64, verbose_name='日志叶哈希')),
                        ('credential', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='checks', to='verification.credential')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credential_checks', to='accounts.organization')),
                    ],
                    options={
                        'db_table': 'governance_credentialcheck',
                        'verbose_name': '核验记录',
                        'verbose_name_plural': '核验记录',
                        'ordering': ['-checked_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='RegistryImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('kind', models.CharField(choices=[('organic', '有机产品认证'), ('geo_indication', '地理标志产品'), ('business_credit', '企业信用/工商登记')], max_length=16, verbose_name='证照类型')),
                        ('source', models.CharField(max_length=128, verbose_name='数据来源')),
                        ('version', models.PositiveIntegerField(verbose_name='版本')),
                        ('filename', models.CharField(blank=True, max_length=255, verbose_name='文件名')),
                        ('sha256', models.CharField(max_length=64, verbose_name='文件 SHA-256')),
                        ('row_count', models.PositiveIntegerField(verbose_name='行数')),
                        ('imported_by', models.CharField(blank=True, max_length=128, verbose_name='导入人')),
                        ('superseded_at', models.DateTimeField(blank=True, null=True, verbose_name='被替换时间')),
                    ],
                    options={
                        'db_table': 'governance_registryimport',
                        'verbose_name': '核验名录导入',
                        'verbose_name_plural': '核验名录导入',
                        'ordering': ['kind', 'source', '-version'],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'source', 'version'), name='registry_import_unique_version')],
                    },
                ),
                migrations.CreateModel(
                    name='RegistryRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('organic', '有机产品认证'), ('geo_indication', '地理标志产品'), ('business_credit', '企业信用/工商登记')], max_length=16, verbose_name='证照类型')),
                        ('source', models.CharField(max_length=128, verbose_name='数据来源')),
                        ('row_number', models.PositiveIntegerField(verbose_name='行号')),
                        ('number', models.CharField(max_length=64, verbose_name='证书编号')),
                        ('holder_name', models.CharField(max_length=128, verbose_name='持有人名称')),
                        ('holder_uscc', models.CharField(blank=True, max_length=18, verbose_name='持有人统一社会信用代码')),
                        ('scope', models.CharField(blank=True, max_length=255, verbose_name='认证范围/产品')),
                        ('region', models.CharField(blank=True, max_length=128, verbose_name='地区')),
                        ('valid_from', models.DateField(blank=True, null=True, verbose_name='生效日期')),
                        ('valid_until', models.DateField(blank=True, null=True, verbose_name='有效期至')),
                        ('status', models.CharField(choices=[('valid', '有效'), ('suspended', '暂停'), ('revoked', '撤销')], max_length=16, verbose_name='状态')),
                        ('registry_import', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='records', to='verification.registryimport')),
                    ],
                    options={
                        'db_table': 'governance_registryrecord',
                        'verbose_name': '核验名录记录',
                        'verbose_name_plural': '核验名录记录',
                        'ordering': ['kind', 'number'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='credential',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'withdrawn'), _negated=True), fields=('organization', 'kind', 'number'), name='credential_unique_live_number'),
                ),
                migrations.AddIndex(
                    model_name='registryrecord',
                    index=models.Index(fields=['kind', 'number'], name='governance__kind_4e4f3d_idx'),
                ),
                migrations.AddConstraint(
                    model_name='registryrecord',
                    constraint=models.UniqueConstraint(fields=('kind', 'source', 'number'), name='registry_record_unique_number'),
                ),
            ],
            database_operations=[],
        ),
        content_types_moved(
            old_label='governance',
            new_label='verification',
            models=['credential', 'credentialcheck', 'registryimport', 'registryrecord'],
        ),
    ]
