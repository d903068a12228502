from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackgroundConfig(AppConfig):
    name = "background"
    verbose_name = _("Background work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from background.imports import import_enqueue
        from surveys.views.exchange import BACKGROUND_IMPORT

        # Large imports go to the background; the import page stays in surveys.
        if import_enqueue not in BACKGROUND_IMPORT:
            BACKGROUND_IMPORT.append(import_enqueue)
