from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scoring.tasks import score_after_transition
        from surveys.services.workflow import AFTER_TRANSITION

        # Scores follow the workflow: queued after the submit, resubmit or approval commits.
        if score_after_transition not in AFTER_TRANSITION:
            AFTER_TRANSITION.append(score_after_transition)
