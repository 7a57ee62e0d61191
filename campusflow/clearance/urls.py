from django.urls import path

from campusflow.clearance import import_views, query_views, views

app_name = "clearance"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/checkpoints/add/", views.checkpoint_add, name="checkpoint_add"),
    path("plans/<int:pk>/checkpoints/<slug:key>/edit/", views.checkpoint_edit, name="checkpoint_edit"),
    path("plans/<int:pk>/checkpoints/<slug:key>/remove/", views.checkpoint_remove, name="checkpoint_remove"),
    path("plans/<int:pk>/checkpoints/<slug:key>/move/", views.checkpoint_move, name="checkpoint_move"),
    path("plans/<int:pk>/initialise/", views.plan_initialise, name="plan_initialise"),
    path("plans/<int:pk>/practice-exits/", views.plan_sync_exits, name="plan_sync_exits"),
    path("plans/<int:pk>/recount/", views.plan_recount, name="plan_recount"),
    path("plans/<int:pk>/state/", views.plan_state, name="plan_state"),
    path("desk/", views.desk, name="desk"),
    path("desk/decide/", views.desk_decide, name="desk_decide"),
    path("desk/counters/", views.desk_counters, name="desk_counters"),
    path("desk/batch/", views.desk_batch, name="desk_batch"),
    path("desk/batch/decide/", views.desk_batch_decide, name="desk_batch_decide"),
    path("desk/import/", import_views.desk_import, name="desk_import"),
    path("desk/import/template/<slug:match>/", import_views.desk_import_template, name="desk_import_template"),
    path("desk/import/<str:token>/", import_views.desk_import_result, name="desk_import_result"),
    path("desk/import/<str:token>/rejected/", import_views.desk_import_rejected, name="desk_import_rejected"),
    path("desk/import/<str:token>/confirm/", import_views.desk_import_confirm, name="desk_import_confirm"),
    path("query/", query_views.student_query, name="query"),
    path("query/export/", query_views.student_query_export, name="query_export"),
    path("query/statistics/", query_views.statistics, name="statistics"),
    path("query/statistics/export/", query_views.statistics_export, name="statistics_export"),
    path("query/checkpoint/", query_views.checkpoint_data, name="checkpoint_data"),
    path("query/checkpoint/export/", query_views.checkpoint_data_export, name="checkpoint_data_export"),
    path("me/", views.my_clearance, name="me"),
    path("issuance/", views.issuance, name="issuance"),
]
