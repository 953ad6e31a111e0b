from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Dùng chung"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
