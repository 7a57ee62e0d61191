from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("导入文件"),
        help_text=_("Excel 文件（.xlsx 或 .xls），不超过 10 MB；请使用下载的导入模板。"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls"}),
    )
