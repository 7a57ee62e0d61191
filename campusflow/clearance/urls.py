from django.urls import path

from campusflow.clearance import views

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
    path("me/", views.my_clearance, name="me"),
    path("issuance/", views.issuance, name="issuance"),
]
