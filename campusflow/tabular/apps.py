from django.apps import AppConfig


class TabularConfig(AppConfig):
    name = "campusflow.tabular"
    label = "tabular"
    verbose_name = "Excel 导入导出"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Registers the import/export job kinds with campusflow.jobs …
        from campusflow.tabular import jobs  # noqa: F401

        # … and every app's importable kinds (<app>/imports.py) and exports (<app>/exports.py),
        # so a task worker that never loads the URLconf knows them too.
        autodiscover_modules("imports", "exports")
