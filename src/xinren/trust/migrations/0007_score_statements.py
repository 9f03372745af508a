from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trust', '0006_delisting'),
    ]

    operations = [
        migrations.AddField(
            model_name='productscore',
            name='leaf_hash',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='日志叶哈希'),
        ),
    ]
