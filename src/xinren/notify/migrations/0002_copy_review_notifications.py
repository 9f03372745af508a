"""Copy the notices the reviews context kept (folds, diary invitations) into the inbox; reviews then drops its
table (reviews 0007). The old rows held finished Chinese text: the params are read back from it, so the copies
render from the kind's template like every other notice."""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations

_REASON = re.compile(r"理由：(?P<reason>.*)。你可以提交一次申辩。$", re.DOTALL)
_DAYS = re.compile(r"第 (?P<days>\d+) 天")


def forwards(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("reviews", "Notification")
    new = apps.get_model("notify", "Notification")
    db = schema_editor.connection.alias
    copies = []
    for row in old.objects.using(db).select_related("review").order_by("pk").iterator():
        if row.kind == "review_folded":
            found = _REASON.search(row.message)
            params: dict[str, Any] = {"reason": found["reason"] if found else row.review.fold_reason}
            link = f"/shop/reviews/{row.review_id}/#respond"
        else:
            found = _DAYS.search(row.message)
            days = int(found["days"]) if found else 7
            params = {"days": days}
            link = f"/shop/reviews/{row.review_id}/diary/{days}/"
        copies.append(new(
            user_id=row.user_id, kind=row.kind, params=params, link=link, dedupe_key=f"reviews.notification:{row.pk}",
            created_at=row.created_at, read_at=row.read_at,
        ))
    new.objects.using(db).bulk_create(copies, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_initial"),
        ("reviews", "0006_signed_rows_immutable"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
