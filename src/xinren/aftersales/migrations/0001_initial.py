from django.db import migrations


class Migration(migrations.Migration):
    """The context's first migration: empty, so that each part's own migration can follow it."""

    initial = True
    dependencies: list[tuple[str, str]] = []
    operations: list[migrations.operations.base.Operation] = []
