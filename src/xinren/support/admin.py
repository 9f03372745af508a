"""Operators read conversations and messages; nobody edits or deletes them here (messages are kept, kept.py)."""

from __future__ import annotations

from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import Conversation, Message


class MessageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Message
    fields = ["created_at", "side", "sender_user", "sender_api_key", "body", "responds_to_at"]
    readonly_fields = ["created_at", "side", "sender_user", "sender_api_key", "body", "responds_to_at"]
    extra = 0


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "merchant", "purpose", "status", "last_message_at", "awaiting_since"]
    list_filter = ["status", "purpose"]
    readonly_fields = [f.name for f in Conversation._meta.fields]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "conversation", "side", "created_at"]
    list_filter = ["side"]
    readonly_fields = [f.name for f in Message._meta.fields]
