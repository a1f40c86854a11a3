"""Web pages of the call process (included at the site root by deltaregio.urls, so /en/… works too)."""

from django.urls import path

from deltaregio.calls import setup_views, views

app_name = "calls"
urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/configure/", setup_views.call_configure, name="call_configure"),
    path("calls/<slug:code>/", views.call_detail, name="call_detail"),
    path("calls/<slug:code>/publish/", views.call_publish, name="call_publish"),
    path("calls/<slug:code>/propose/", views.proposal_create, name="proposal_create"),
    path("calls/<slug:code>/ranking/", views.ranking, name="ranking"),
    path("calls/<slug:code>/setup/", setup_views.call_setup, name="call_setup"),
    path("calls/<slug:code>/setup/round/", setup_views.round_add, name="call_setup_round"),
    path("calls/<slug:code>/setup/criterion/", setup_views.criterion_add, name="call_setup_criterion"),
    path("calls/<slug:code>/setup/rule/", setup_views.rule_add, name="call_setup_rule"),
    path("calls/<slug:code>/setup/publish/", setup_views.publish, name="call_setup_publish"),
    path("proposals/", views.my_proposals, name="my_proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/full-application/", views.full_application, name="full_application"),
    path("proposals/<int:pk>/review/", views.review, name="review"),
    path("proposals/<int:pk>/letter.pdf", views.decision_letter, name="decision_letter"),
    path("proposals/<int:pk>/<slug:step>/", views.proposal_step, name="proposal_step"),
]
