# Cost breakdowns moved to the costs context (ADR 0014): the model leaves the catalog app's state, the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_cost_breakdown'),
        ('costs', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CostBreakdown')],
            database_operations=[],
        ),
    ]
