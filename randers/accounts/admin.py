from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import LoginEvent, TOTPDevice


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Only to remove a lost authenticator app (the next login sets up a new one); the secret is
    never shown."""

    list_display = ("user", "confirmed_at", "created_at")
    search_fields = ("user__username", "user__email")
    fields = ("user", "confirmed_at", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    """Read-only: the log of logins is written by the login signals only."""

    list_display = ("at", "username", "user", "method", "outcome", "ip_address")
    list_filter = ("outcome", "method")
    search_fields = ("username", "ip_address")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
