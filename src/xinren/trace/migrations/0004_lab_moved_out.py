# Lab reports moved to the lab context (ADR 0014): the models leave the trace app's state, the tables stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('lab', '0001_initial'),
        ('trace', '0003_lab_reports'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='LabMeasurement'),
                migrations.DeleteModel(name='LabReport'),
            ],
            database_operations=[],
        ),
    ]
