from django.urls import include, path
from django.views.i18n import set_language

from campusflow.api import api
from campusflow.core.access import public
from campusflow.core.views import favicon

urlpatterns = [
    path("", include("campusflow.core.urls")),
    path("accounts/", include("campusflow.accounts.urls")),
    path("org/", include("campusflow.orgs.urls")),
    path("workflow/", include("campusflow.workflow.urls")),
    path("bases/", include("campusflow.bases.urls")),
    path("practice/", include("campusflow.practice.urls")),
    path("notifications/", include("campusflow.notifications.urls")),
    path("jobs/", include("campusflow.jobs.urls")),
    path("documents/", include("campusflow.documents.urls")),
    path("clearance/", include("campusflow.clearance.urls")),
    path("api/", api.urls),
    path("captcha/", include("captcha.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    # Browsers ask for /favicon.ico on pages without an icon link (JSON answers); a 404 page
    # there would set a CSRF cookie racing the login form's own (seen in the browser tests).
    path("favicon.ico", favicon),
]
