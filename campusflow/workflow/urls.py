from django.urls import path

from campusflow.workflow import views

app_name = "workflow"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/batch-approve/", views.batch_approve, name="batch_approve"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/act/", views.case_act, name="case_act"),
    path("definitions/", views.definition_list, name="definition_list"),
    path("definitions/<str:code>/", views.definition_edit, name="definition_edit"),
    path("delegations/", views.delegations, name="delegations"),
    path("link/<str:token>/", views.link, name="link"),
]
