from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClearanceConfig(AppConfig):
    name = "campusflow.clearance"
    label = "clearance"
    verbose_name = _("离校办理")
