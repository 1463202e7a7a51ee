"""The Django admin for periods and, read-only, for agreements and their frozen record.

Agreements change only through the app's services; here administrators set up periods with their
deadlines, template sections and follow-up points, and may look at everything else.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Agreement,
    AgreementBook,
    AgreementPdf,
    AgreementVersion,
    FollowUpPoint,
    Period,
    Signature,
    StateChange,
    TemplateSection,
)


class TemplateSectionInline(admin.StackedInline):
    model = TemplateSection
    extra = 0


class FollowUpPointInline(admin.TabularInline):
    model = FollowUpPoint
    extra = 0


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "submit_due", "signing_due")
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TemplateSectionInline, FollowUpPointInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch: what is shown here changes only through the services, or never."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ("unit", "period", "state", "updated_at")
    list_filter = ("period", "state", "unit__area")
    list_select_related = ("unit", "period")
    search_fields = ["unit__name"]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "number", "created_at", "content_hash")
    list_select_related = ("agreement__unit", "agreement__period")
    search_fields = ["agreement__unit__name", "content_hash"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ("signer_name", "role", "signed_at", "content_hash")
    search_fields = ["signer_name", "content_hash"]


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "from_state", "to_state", "actor", "at")
    list_select_related = ("agreement__unit", "agreement__period", "actor")


@admin.register(AgreementPdf)
class AgreementPdfAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "state", "pages", "size", "render_seconds", "created_at")
    list_filter = ("state",)
    list_select_related = ("agreement__unit", "agreement__period")
    search_fields = ["agreement__unit__name", "content_hash", "pdf_sha256"]
    exclude = ("data",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("data")


@admin.register(AgreementBook)
class AgreementBookAdmin(ReadOnlyAdmin):
    list_display = ("period", "scope_name", "agreement_count", "pages", "size", "created_at")
    list_select_related = ("period",)
    exclude = ("data",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("data")
