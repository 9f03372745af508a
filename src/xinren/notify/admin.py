from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import Delivery, Notification, Preference, SandboxWeChatMessage, WeChatRecipient


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "kind", "link", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["dedupe_key"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["notification", "channel", "status", "attempts", "provider", "error", "sent_at"]
    list_filter = ["channel", "status"]


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "kind", "sms", "wechat", "updated_at"]


@admin.register(WeChatRecipient)
class WeChatRecipientAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "appid", "created_at"]


@admin.register(SandboxWeChatMessage)
class SandboxWeChatMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["template_id", "touser", "page", "created_at"]
