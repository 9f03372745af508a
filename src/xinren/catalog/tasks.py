"""Background tasks of the catalog context (ADR 0013): thin wrappers over the services, run by a worker."""

from __future__ import annotations

from xinren.core.tasks import background

from . import sheets


@background(attempts=3, backoff=30)
def label_sheet_build_task(*, sheet_id: int) -> str:
    """Queued when a label sheet is asked for: draw it into storage, reporting its progress page by page."""
    return sheets.label_sheet_build(sheet_id=sheet_id)


@background(attempts=2, backoff=60)
def label_sheets_sweep_task() -> dict[str, int]:
    """Periodic: delete sheet files past their retention, queue again sheet jobs whose task was lost."""
    return sheets.label_sheets_sweep()
