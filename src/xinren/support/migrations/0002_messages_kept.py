"""Support messages are kept as written: triggers refuse every UPDATE and DELETE (support/kept.py)."""

from django.db import migrations

from xinren.support.kept import messages_kept


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [messages_kept()]
