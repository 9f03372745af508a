# Signing keys move from accounts to the attest context (ADR 0012). The table was created by accounts 0002 and keeps
# its name: this migration only adds the model to the attest app's state, and relabels its content type.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from xinren.core.model_moves import content_types_moved


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_signingkey'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SigningKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('key_id', models.CharField(max_length=64, unique=True, verbose_name='密钥 ID')),
                        ('public_key', models.BinaryField(max_length=32, verbose_name='公钥')),
                        ('custodial', models.BooleanField(default=False, verbose_name='平台托管')),
                        ('encrypted_private_key', models.BinaryField(blank=True, null=True, verbose_name='加密私钥')),
                        ('status', models.CharField(choices=[('active', '有效'), ('retired', '已轮换'), ('revoked', '已吊销')], default='active', max_length=8, verbose_name='状态')),
                        ('label', models.CharField(blank=True, max_length=64, verbose_name='备注')),
                        ('status_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='状态变更时间')),
                        ('revocation_reason', models.CharField(blank=True, max_length=500, verbose_name='吊销原因')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='signing_keys', to='accounts.organization')),
                        ('replaces', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='attest.signingkey', verbose_name='替换的密钥')),
                    ],
                    options={
                        'db_table': 'accounts_signingkey',
                        'verbose_name': '签名密钥',
                        'verbose_name_plural': '签名密钥',
                        'constraints': [models.UniqueConstraint(condition=models.Q(('custodial', True), ('status', 'active')), fields=('organization',), name='signing_key_one_active_custodial_per_org'), models.CheckConstraint(condition=models.Q(models.Q(('custodial', False), ('encrypted_private_key__isnull', True)), models.Q(('custodial', True), ('encrypted_private_key__isnull', False)), _connector='OR'), name='signing_key_private_half_only_when_custodial')],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_moved(old_label='accounts', new_label='attest', models=['signingkey']),
    ]
