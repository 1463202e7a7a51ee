from django.contrib import admin
from django.http import HttpRequest

from .models import (
    CommonGoal,
    CouncilGoal,
    FollowUpReport,
    GoalFollowUp,
    IndicatorDefinition,
    Measurement,
)


@admin.register(CouncilGoal)
class CouncilGoalAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "committee", "active")
    list_filter = ("kind", "active")
    prepopulated_fields = {"slug": ["title"]}


@admin.register(CommonGoal)
class CommonGoalAdmin(admin.ModelAdmin):
    list_display = ("title", "area", "active")
    list_filter = ("area", "active")
    filter_horizontal = ["council_goals", "indicators"]


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(admin.ModelAdmin):
    """The indicator library, maintained by the administrators."""

    list_display = ("name", "unit_of_measure", "direction", "data_source", "active")
    list_filter = ("direction", "active")
    search_fields = ("name", "data_source")


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    """Measurements entered from a data source; those reported in a follow-up come with it."""

    list_display = ("name", "unit", "measured_on", "value", "report")
    list_filter = ("definition",)
    search_fields = ("name", "unit__name")
    autocomplete_fields = ["unit"]
    raw_id_fields = ["indicator", "report"]
    list_select_related = ("unit", "report")


class GoalFollowUpInline(admin.TabularInline):
    model = GoalFollowUp
    fields = ("goal_title", "status", "assessment")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(FollowUpReport)
class FollowUpReportAdmin(admin.ModelAdmin):
    """Follow-ups are read here, never changed: leaders report them, directors mark them seen."""

    list_display = ("agreement", "point", "state", "is_current", "submitted_at", "seen_at")
    list_filter = ("state", "is_current", "point__period")
    list_select_related = ("agreement__unit", "agreement__period", "point__period")
    search_fields = ("agreement__unit__name",)
    inlines = [GoalFollowUpInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
