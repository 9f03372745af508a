"""A lab report keeps where its sample was taken and the lab's own PDF (ADR 0038); both are signed columns.

The signed-row triggers (core.immutable, ADR 0017) are reinstalled with the two new columns protected. They are
dropped first: on SQLite adding a column with a default rebuilds the table, and the rebuild drops its triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

from xinren.core.immutable import SignedTable, signed_rows_immutable

OLD = [
    SignedTable(table='trace_labreport', leaf_hash='ledger_leaf_hash',
                protected=('report_id', 'lab_id', 'batch_id', 'accreditation', 'sample_id', 'sampled_at', 'method',
                           'table_version')),
]
TABLES = [
    SignedTable(table='trace_labreport', leaf_hash='ledger_leaf_hash',
                protected=('report_id', 'lab_id', 'batch_id', 'accreditation', 'sample_id', 'sampled_at',
                           'sampled_place', 'method', 'table_version', 'pdf_id')),
]
CHILDREN = ['trace_labmeasurement']


def _reversed(operation: migrations.RunPython) -> migrations.RunPython:
    return migrations.RunPython(operation.reverse_code, operation.code, elidable=False)


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0003_photo_variants'),
        ('lab', '0003_signed_rows_immutable'),
    ]

    operations = [
        _reversed(signed_rows_immutable(OLD, CHILDREN)),
        migrations.AddField(
            model_name='labreport',
            name='pdf',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='evidence.mediafile', verbose_name='报告原件'),
        ),
        migrations.AddField(
            model_name='labreport',
            name='sampled_place',
            field=models.CharField(blank=True, max_length=255, verbose_name='抽样地点'),
        ),
        signed_rows_immutable(TABLES, CHILDREN),
    ]
