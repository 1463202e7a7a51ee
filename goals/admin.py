from django.contrib import admin

from .models import CommonGoal, CouncilGoal


@admin.register(CouncilGoal)
class CouncilGoalAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "committee", "active")
    list_filter = ("kind", "active")
    prepopulated_fields = {"slug": ["title"]}


@admin.register(CommonGoal)
class CommonGoalAdmin(admin.ModelAdmin):
    list_display = ("title", "area", "active")
    list_filter = ("area", "active")
    filter_horizontal = ["council_goals"]
