from django.urls import path

from campusflow.orgs import views

app_name = "orgs"
urlpatterns = [
    path("students/", views.student_list, name="student_list"),
    path("students/<int:pk>/", views.student_detail, name="student_detail"),
    path("teachers/", views.teacher_list, name="teacher_list"),
    path("mentors/", views.mentor_list, name="mentor_list"),
    path("units/", views.unit_list, name="unit_list"),
    path("commitments/", views.commitment_list, name="commitment_list"),
]
