"""Score runs: the stored, reproducible result of one call of the scoring engine.

A run keeps everything needed to recompute it exactly: the complete method configuration, the
inputs given to the engine (values, statuses, unit labels, peer groups), their SHA-256 digests,
the framework version, the engine version and the random seed. Rows are written once by
``scoring.services`` and never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunKind(models.TextChoices):
    SINGLE = "single", _("One assessment")
    COHORT = "cohort", _("Several assessments together")


class RunTrigger(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    ON_DEMAND = "on_demand", _("Recomputed on demand")
    CLI = "cli", _("Command line")


class RunStatus(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")


class ScoreRun(models.Model):
    assessment = models.ForeignKey(
        "surveys.Assessment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="score_runs",
        help_text=_("Empty for cohort runs, which score several assessments together."),
    )
    framework = models.ForeignKey(
        "surveys.Framework", on_delete=models.PROTECT, related_name="score_runs"
    )
    framework_version = models.CharField(_("framework version"), max_length=32)
    round = models.PositiveSmallIntegerField(_("round"), null=True, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=RunKind.choices, default=RunKind.SINGLE
    )
    trigger = models.CharField(_("trigger"), max_length=12, choices=RunTrigger.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.COMPLETE
    )
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    configuration = models.JSONField(
        _("method configuration"), default=dict, help_text=_("EngineConfig.to_dict()")
    )
    config_digest = models.CharField(_("configuration digest"), max_length=64, blank=True)
    inputs = models.JSONField(
        _("inputs"),
        default=dict,
        help_text=_("Units, item codes, values (null for none), status codes and peer groups."),
    )
    inputs_digest = models.CharField(_("inputs digest"), max_length=64, blank=True)
    engine_version = models.CharField(_("engine version"), max_length=20)
    seed = models.BigIntegerField(_("random seed"), null=True, blank=True)
    uncertainty = models.JSONField(
        _("uncertainty settings"),
        default=dict,
        blank=True,
        help_text=_("Samples and the method choices varied; empty when not run."),
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    job = models.OneToOneField(
        "background.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="score_run",
        help_text=_("The background job that computed it; one run per job, however often run."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        indexes = [models.Index(fields=["assessment", "-created_at"], name="run_assessment_latest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M} ({self.framework})"


class ScoreLevel(models.TextChoices):
    OVERALL = "overall", _("Overall")
    PILLAR = "pillar", _("Pillar")
    SUB_PILLAR = "sub_pillar", _("Sub-pillar")
    INDICATOR = "indicator", _("Indicator")
    ITEM = "item", _("Question")


#: The values a score row carries beyond what identifies it, in the order exports and the API
#: list them (``marginal_gain`` is left to the API: it can be infinite).
SCORE_VALUE_FIELDS = (
    "score",
    "coverage",
    "target",
    "gap",
    "relative_gap",
    "stage",
    "insufficient",
    "imputed",
    "effective_weight",
    "interval_low",
    "interval_median",
    "interval_high",
    "rank_low",
    "rank_median",
    "rank_high",
)


class Score(models.Model):
    """One number of a run: an assessment's score at one node of the framework."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="scores")
    assessment = models.ForeignKey(
        "surveys.Assessment", on_delete=models.CASCADE, related_name="scores"
    )
    level = models.CharField(_("level"), max_length=12, choices=ScoreLevel.choices)
    code = models.CharField(_("code"), max_length=64)
    position = models.PositiveIntegerField(_("position"), default=0)
    score = models.FloatField(_("score"), null=True, blank=True)
    coverage = models.FloatField(_("coverage"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    relative_gap = models.FloatField(_("relative gap"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    insufficient = models.BooleanField(_("insufficient data"), default=False)
    imputed = models.BooleanField(_("imputed"), default=False)
    effective_weight = models.FloatField(_("effective weight"), null=True, blank=True)
    marginal_gain = models.FloatField(_("marginal gain"), null=True, blank=True)
    interval_low = models.FloatField(_("interval low"), null=True, blank=True)
    interval_median = models.FloatField(_("interval median"), null=True, blank=True)
    interval_high = models.FloatField(_("interval high"), null=True, blank=True)
    rank_low = models.FloatField(_("best rank"), null=True, blank=True)
    rank_median = models.FloatField(_("median rank"), null=True, blank=True)
    rank_high = models.FloatField(_("worst rank"), null=True, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)

    class Meta:
        ordering = ["run", "assessment", "position"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "assessment", "level", "code"], name="one_score_per_node"
            )
        ]

    def __str__(self) -> str:
        value = "insufficient" if self.score is None else f"{self.score:.1f}"
        return f"{self.get_level_display()} {self.code}: {value}"

    @property
    def outside_interval(self) -> str:
        """ "above" or "below" when the published score lies outside its own interval, else "".

        It happens: when the published method is arithmetic and the analysis also tries
        geometric means, most recomputed scores are lower and the published one can sit above
        the 95th percentile (e.g. 26.76 against [0, 26.05]). Readers must be told.
        """
        if self.score is None or self.interval_low is None or self.interval_high is None:
            return ""
        # Scores are shown to one decimal: a difference below that is no news to a reader.
        if self.score > self.interval_high + 0.05:
            return "above"
        if self.score < self.interval_low - 0.05:
            return "below"
        return ""


class AgreementScope(models.TextChoices):
    QUESTION = "question", _("Question")
    PILLAR = "pillar", _("Pillar")
    ASSESSMENT = "assessment", _("Assessment")


class AgreementResult(models.Model):
    """Agreement among an assessment's stakeholders, per question, pillar or overall."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="agreements")
    assessment = models.ForeignKey(
        "surveys.Assessment", on_delete=models.CASCADE, related_name="agreements"
    )
    scope = models.CharField(_("scope"), max_length=12, choices=AgreementScope.choices)
    code = models.CharField(_("code"), max_length=64, blank=True)
    rwg = models.FloatField(_("r_wg"), null=True, blank=True)
    alpha = models.FloatField(_("Krippendorff's alpha"), null=True, blank=True)
    respondents = models.PositiveIntegerField(_("respondents"), default=0)
    low_agreement = models.BooleanField(_("low agreement"), default=False)
    interval_low = models.FloatField(_("bootstrap low"), null=True, blank=True)
    interval_high = models.FloatField(_("bootstrap high"), null=True, blank=True)

    class Meta:
        ordering = ["run", "scope", "code"]
        verbose_name = _("agreement result")
        verbose_name_plural = _("agreement results")

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.code}"
