from django.contrib import admin

from .models import Notification, Preference, SentReminder


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["recipient", "key", "stage", "due_on", "made_on", "emailed_at"]
    list_filter = ["stage", "made_on"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in SentReminder._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["person", "frequency"]
    list_select_related = ["person"]
