from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "campusflow.practice"
    label = "practice"
    verbose_name = _("专业实践过程")
