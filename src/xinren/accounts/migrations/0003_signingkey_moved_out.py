# Signing keys moved to the attest context (ADR 0012): the model leaves the accounts app's state, the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_signingkey'),
        ('attest', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SigningKey')],
            database_operations=[],
        ),
    ]
