from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "campusflow.documents"
    label = "documents"
    verbose_name = _("文书")

    def ready(self) -> None:
        from campusflow.documents import bulk  # noqa: F401 - registers the bulk job kind
