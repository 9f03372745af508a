# Credential verification moved to the verification context (ADR 0014): its models leave this app's state, the
# tables (governance_*) stay where they are. The governance label now belongs to merchant governance.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0001_initial'),
        ('verification', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='CredentialCheck'),
                migrations.DeleteModel(name='Credential'),
                migrations.DeleteModel(name='RegistryRecord'),
                migrations.DeleteModel(name='RegistryImport'),
            ],
            database_operations=[],
        ),
    ]
