from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/rediger/", views.edit, name="edit"),
    path("<uuid:uuid>/afsnit/<int:section_id>/", views.save_section, name="save-section"),
    path("<uuid:uuid>/budget/", views.save_budget, name="save-budget"),
    path("<uuid:uuid>/inddragelse/<str:body>/", views.save_consultation, name="save-consultation"),
    path("<uuid:uuid>/maal/nyt/", views.goal_form, name="add-goal"),
    path("<uuid:uuid>/maal/<uuid:goal_uuid>/", views.goal_form, name="edit-goal"),
    path("<uuid:uuid>/maal/<uuid:goal_uuid>/fjern/", views.remove_goal, name="remove-goal"),
    path("<uuid:uuid>/maal/<uuid:goal_uuid>/flyt/", views.move_goal, name="move-goal"),
    path("<uuid:uuid>/indsend/", views.submit, name="submit"),
    path("<uuid:uuid>/returner/", views.return_to_leader, name="return"),
    path("<uuid:uuid>/send-til-udvalg/", views.send_to_committee, name="send-to-committee"),
    path("<uuid:uuid>/godkend/", views.approve, name="approve"),
    path("<uuid:uuid>/underskriv/", views.sign, name="sign"),
    path("<uuid:uuid>/aendr/", views.amend, name="amend"),
    path("<uuid:uuid>/tilbagekald/", views.revoke, name="revoke"),
    path("<uuid:uuid>/historik/", views.history, name="history"),
    path("<uuid:uuid>/sammenlign/", views.compare, name="compare"),
    path("verificer/<uuid:uuid>/", views.verify, name="verify"),
    path("start/<slug:unit_slug>/<slug:period_slug>/", views.start, name="start"),
    # Follow-up
    path("<uuid:uuid>/opfoelgning/", views.follow_ups, name="follow-ups"),
    path(
        "<uuid:uuid>/opfoelgning/<int:point_id>/ny/",
        views.start_follow_up,
        name="start-follow-up",
    ),
    path("opfoelgning/", views.follow_up_overview, name="follow-up-overview"),
    path("opfoelgning/excel/", views.follow_up_download, name="follow-up-download"),
    path("opfoelgning/excel/indlaes/", views.follow_up_upload, name="follow-up-upload"),
    path("opfoelgning/<uuid:uuid>/", views.follow_up, name="follow-up"),
    path("opfoelgning/<uuid:uuid>/set/", views.mark_seen, name="mark-seen"),
    path("maalhistorik/<uuid:goal_uuid>/", views.goal_history, name="goal-history"),
    # Goals across units
    path("maal/", views.coverage, name="coverage"),
    path("maal/faelles-maal/", views.common_goals, name="common-goals"),
    path("maal/<slug:slug>/", views.council_goal, name="council-goal"),
    path("maal/<slug:slug>/<slug:unit_slug>/", views.coverage_cell, name="coverage-cell"),
    path("enhed/<slug:unit_slug>/maal/", views.unit_goals, name="unit-goals"),
]
