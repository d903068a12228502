from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "Exchange"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from exchange.jobs import import_enqueue
        from exchange.views import BACKGROUND_IMPORT

        # Large imports go to the background (the floor below); the import page stays here.
        if import_enqueue not in BACKGROUND_IMPORT:
            BACKGROUND_IMPORT.append(import_enqueue)
