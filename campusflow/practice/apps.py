from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "campusflow.practice"
    label = "practice"
    verbose_name = _("专业实践过程")

    def ready(self) -> None:
        # Registers the practice chains with the workflow engine's registry.
        from campusflow.practice import processes  # noqa: F401
