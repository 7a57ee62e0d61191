from django.urls import path

from campusflow.practice import leave_urls, views

app_name = "practice"
urlpatterns = [
    path("", views.query, name="query"),
    path("placements/new/", views.placement_create, name="placement_create"),
    path("placements/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("placements/<int:pk>/end/", views.placement_end, name="placement_end"),
]
urlpatterns += leave_urls.urlpatterns
