from django.urls import path

from campusflow.practice import leave_views

urlpatterns = [
    path("leave/", leave_views.leave_request_list, name="leave_request_list"),
    path("leave/new/", leave_views.leave_request_new, name="leave_request_new"),
    path("leave/<int:pk>/edit/", leave_views.leave_request_edit, name="leave_request_edit"),
    path("leave-school/", leave_views.leave_school_list, name="leave_school_list"),
    path("leave-school/new/", leave_views.leave_school_new, name="leave_school_new"),
    path("leave-school/<int:pk>/edit/", leave_views.leave_school_edit, name="leave_school_edit"),
    path("leave-school/<int:pk>/file/<str:kind>/", leave_views.leave_school_file, name="leave_school_file"),
]
