from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from surveys.countries import sync_countries_after_migrate

        # Reference data, like contenttypes and permissions: every database, including each
        # test database, gets the full ISO 3166-1 list without a manual step.
        post_migrate.connect(sync_countries_after_migrate, sender=self)

        from django.contrib.auth.signals import user_logged_in

        from surveys.signin import remember_sign_in

        # Sign-in starts the idle clock and settles the two-factor state (surveys/signin.py).
        user_logged_in.connect(remember_sign_in, dispatch_uid="surveys.signin.remember_sign_in")
