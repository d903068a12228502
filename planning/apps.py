from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Score runs end in scoring, a floor below: it calls what planning registers here.
        from planning import plan_cache
        from scoring import extensions

        extensions.AFTER_ASSESSMENT_RUN.append(plan_cache.after_assessment_run)
        extensions.AFTER_COHORT_RUN.append(plan_cache.after_cohort_run)
