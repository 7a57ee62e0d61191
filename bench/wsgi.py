"""WSGI entry for the HTTP load: the app on the bench settings (gunicorn bench.wsgi)."""

from __future__ import annotations

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
