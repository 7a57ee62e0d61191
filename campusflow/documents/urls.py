from django.urls import path

from campusflow.documents import views

app_name = "documents"
urlpatterns = [
    path("placements/<int:pk>/application.pdf", views.placement_application, name="application"),
    path("placements/<int:pk>/assessment.pdf", views.placement_assessment, name="assessment"),
    path("placements/<int:pk>/three-party.pdf", views.placement_three_party, name="three_party"),
    path("bases/<int:pk>/agreement.pdf", views.base_agreement, name="agreement"),
    path("bulk/", views.bulk, name="bulk"),
]
