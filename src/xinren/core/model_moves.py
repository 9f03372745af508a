"""Moving a model from one app to another without moving its data (ADR 0014).

The table keeps its name (the model declares `db_table`); the old app's migration deletes the model from its
state only, the new app's migration creates it in its state only, and the content type row follows the model so
that admin history and permissions stay attached to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


def content_types_moved(*, old_label: str, new_label: str, models: Sequence[str]) -> migrations.RunPython:
    """A migration operation that relabels the models' content types (a no-op on a fresh database)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        content_type.objects.using(db).filter(app_label=old_label, model__in=list(models)).update(app_label=new_label)

    def backwards(apps: Any, schema_editor: Any) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        content_type.objects.using(db).filter(app_label=new_label, model__in=list(models)).update(app_label=old_label)

    return migrations.RunPython(forwards, backwards, elidable=False)
