from django.urls import path

from campusflow.orgs import views

app_name = "orgs"
urlpatterns = [
    path("students/", views.student_list, name="student_list"),
    path("students/import/", views.student_import, name="student_import"),
    path("students/import/template/", views.student_import_template, name="student_import_template"),
    path("students/import/<str:token>/", views.student_import_result, name="student_import_result"),
    path("students/import/<str:token>/confirm/", views.student_import_confirm, name="student_import_confirm"),
    path("students/import/<str:token>/rejected/", views.student_import_rejected, name="student_import_rejected"),
    path("students/export/", views.student_export, name="student_export"),
    path("students/delete/", views.student_delete, name="student_delete"),
    path("students/<int:pk>/", views.student_detail, name="student_detail"),
    path("students/<int:pk>/reveal/", views.student_reveal, name="student_reveal"),
    path("teachers/", views.teacher_list, name="teacher_list"),
    path("teachers/new/", views.teacher_create, name="teacher_create"),
    path("teachers/import/", views.teacher_import, name="teacher_import"),
    path("teachers/import/template/", views.teacher_import_template, name="teacher_import_template"),
    path("teachers/import/<str:token>/", views.teacher_import_result, name="teacher_import_result"),
    path("teachers/import/<str:token>/confirm/", views.teacher_import_confirm, name="teacher_import_confirm"),
    path("teachers/import/<str:token>/rejected/", views.teacher_import_rejected, name="teacher_import_rejected"),
    path("teachers/<int:pk>/", views.teacher_detail, name="teacher_detail"),
    path("teachers/<int:pk>/edit/", views.teacher_edit, name="teacher_edit"),
    path("teachers/<int:pk>/reveal/", views.teacher_reveal, name="teacher_reveal"),
    path("mentors/", views.mentor_list, name="mentor_list"),
    path("mentors/<int:pk>/", views.mentor_detail, name="mentor_detail"),
    path("mentors/<int:pk>/reveal/", views.mentor_reveal, name="mentor_reveal"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/remove/", views.unit_remove, name="unit_remove"),
    path("commitments/", views.commitment_list, name="commitment_list"),
    path("commitments/<int:pk>/download/", views.commitment_download, name="commitment_download"),
]
