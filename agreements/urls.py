from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("oversigt.xlsx", views.overview_export, name="overview-export"),
    path("offentlige/", views.public_list, name="public-list"),
    path("soeg/", views.search, name="search"),
    path("dialogmoeder/", views.meetings, name="meetings"),
    path("dialogmoeder/nyt/<slug:committee_slug>/", views.plan_meeting, name="plan-meeting"),
    path("dialogmoeder/<uuid:uuid>/", views.meeting, name="meeting"),
    path("dialogmoeder/<uuid:uuid>/mappe/", views.meeting_pack, name="meeting-pack"),
    path("kommentarer/<uuid:uuid>/loes/", views.resolve_comment, name="resolve-comment"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/gennemgang/", views.review, name="review"),
    path("<uuid:uuid>/kommentarer/", views.add_comment, name="add-comment"),
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
    path("<uuid:uuid>/pdf/", views.pdf, name="pdf"),
    path("<uuid:uuid>/pdf/<uuid:pdf_uuid>/", views.pdf_file, name="pdf-file"),
    path("aftalebog/", views.book, name="book"),
    path("aftalebog/<uuid:uuid>/", views.book_download, name="book-download"),
    path("verificer/<uuid:uuid>/", views.verify, name="verify"),
    path("start/<slug:unit_slug>/<slug:period_slug>/", views.start, name="start"),
]
