from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BasesConfig(AppConfig):
    name = "campusflow.bases"
    label = "bases"
    verbose_name = _("企业与实践基地")
