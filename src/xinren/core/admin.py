from datetime import datetime
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import AuditEntry, ScheduledRun
from .tasks import ATTEMPT_KWARG, task_retry


class ReadOnlyAdminMixin:
    """For records that only services write (signed, audited or immutable): operators read them in the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "action", "target_type", "target_id", "actor", "organization"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "action"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]



# -- background tasks (ADR 0013) ---------------------------------------------------------------------------------------
# django_tasks_db's own admin lists results without their error; this one puts the failure, and which attempt it
# was, on the list, so operators can filter for failed tasks and read why (the full traceback is on the page).
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["enqueued_at", "task_name", "status", "attempt", "error", "run_after_shown", "finished_at",
                    "queue_name"]
    list_filter = ["status", "queue_name", "task_path"]
    search_fields = ["id", "task_path", "exception_class_path"]
    ordering = ["-enqueued_at"]
    fields = ("id", "task_path", "status", "args_kwargs", "attempt", "enqueued_at", "run_after_shown", "started_at",
              "finished_at", "worker_ids", "return_value", "exception_class_path", "traceback_shown")
    readonly_fields = fields

    @admin.display(description=_("第几次"))
    def attempt(self, obj: DBTaskResult) -> str:
        number = int(obj.args_kwargs.get("kwargs", {}).get(ATTEMPT_KWARG, 1))
        try:
            return f"{number}/{task_retry(obj.task_path).attempts}"
        except ImportError:  # the task no longer exists in the code
            return str(number)

    @admin.display(description=_("错误"))
    def error(self, obj: DBTaskResult) -> str:
        if not obj.traceback:
            return ""
        last_line = obj.traceback.strip().splitlines()[-1]
        return last_line[:200]

    @admin.display(description=_("最早运行时间"))
    def run_after_shown(self, obj: DBTaskResult) -> datetime | None:
        return None if obj.run_after == get_date_max() else obj.run_after

    @admin.display(description=_("错误详情"))
    def traceback_shown(self, obj: DBTaskResult) -> str:
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else ""


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["slot", "job", "claimed_at", "task_id"]
    list_filter = ["job"]
    readonly_fields = [f.name for f in ScheduledRun._meta.fields]
