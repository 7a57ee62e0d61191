from django.urls import path

from campusflow.bases import views

app_name = "bases"
urlpatterns = [
    path("", views.base_list, name="base_list"),
    path("new/", views.base_create, name="base_create"),
    path("<int:pk>/", views.base_detail, name="base_detail"),
    path("<int:pk>/edit/", views.base_edit, name="base_edit"),
    path("<int:pk>/revoke/", views.base_revoke, name="base_revoke"),
    path("<int:pk>/restore/", views.base_restore, name="base_restore"),
    path("<int:pk>/mentors/add/", views.mentor_add, name="mentor_add"),
    path("<int:pk>/mentors/<int:mentor_pk>/remove/", views.mentor_remove, name="mentor_remove"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/relate/", views.enterprise_relate, name="enterprise_relate"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/import/", views.enterprise_import, name="enterprise_import"),
    path("partners/import/template/", views.enterprise_import_template, name="enterprise_import_template"),
    path("partners/import/<str:token>/", views.enterprise_import_result, name="enterprise_import_result"),
    path("partners/import/<str:token>/confirm/", views.enterprise_import_confirm, name="enterprise_import_confirm"),
    path("partners/import/<str:token>/rejected/", views.enterprise_import_rejected, name="enterprise_import_rejected"),
    path("partners/<int:pk>/cancel/", views.partner_cancel, name="partner_cancel"),
]
