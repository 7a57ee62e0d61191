from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "campusflow.workflow"
    label = "workflow"
    verbose_name = _("审批流程")
