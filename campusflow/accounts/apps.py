from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    verbose_name = _("账号")
    name = "campusflow.accounts"
    label = "accounts"
