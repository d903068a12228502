from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scoring.methodology import methodology_annex
        from scoring.review_flags import low_agreement_by_question
        from scoring.tasks import score_after_transition
        from surveys.extensions import FRAMEWORK_ANNEX, LOW_AGREEMENT
        from surveys.services.workflow import AFTER_TRANSITION

        # Scores follow the workflow: queued after the submit, resubmit or approval commits.
        if score_after_transition not in AFTER_TRANSITION:
            AFTER_TRANSITION.append(score_after_transition)
        # Survey pages show what scoring knows without importing it (surveys is the floor below).
        if methodology_annex not in FRAMEWORK_ANNEX:
            FRAMEWORK_ANNEX.append(methodology_annex)
        if low_agreement_by_question not in LOW_AGREEMENT:
            LOW_AGREEMENT.append(low_agreement_by_question)
