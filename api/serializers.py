"""REST API serializers: read shapes of the models and the shapes of the two writes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scoring.models import SCORE_VALUE_FIELDS, Score
from surveys.models import Answer, AnswerStatus, Assessment, Country, Framework
from surveys.services.answers import MAX_JUSTIFICATION_LENGTH
from surveys.services.official import official_figure_data
from surveys.workflow import TRANSITIONS

#: Largest number of answers one write may carry (a framework has a few hundred questions).
MAX_ANSWERS_PER_WRITE = 2000


class FrameworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Framework
        fields = [
            "id",
            "code",
            "version",
            "title",
            "description",
            "languages",
            "status",
            "definition_digest",
            "published_at",
        ]


class FrameworkDetailSerializer(FrameworkSerializer):
    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "methodology", "definition"]


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = [
            "alpha3",
            "alpha2",
            "numeric",
            "name",
            "itu_region",
            "m49_region",
            "m49_subregion",
            "income_group",
        ]


class AssessmentSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.alpha3", read_only=True)
    country_name = serializers.CharField(source="country.name", read_only=True)
    region = serializers.CharField(source="country.itu_region", read_only=True)
    framework = serializers.CharField(source="framework.code", read_only=True)
    framework_version = serializers.CharField(source="framework.version", read_only=True)
    editable = serializers.BooleanField(source="is_editable", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "country",
            "country_name",
            "region",
            "framework",
            "framework_version",
            "round",
            "state",
            "editable",
            "revision",
            "previous",
            "created_at",
            "updated_at",
            "state_changed_at",
        ]
        read_only_fields = fields


class AnswerSerializer(serializers.ModelSerializer):
    value = serializers.JSONField(allow_null=True)
    official = serializers.SerializerMethodField(
        help_text=(
            "The official value of a question linked to an official indicator, with its year, "
            "unit, flags (estimate, lagged), source and attribution, and whether the answer "
            "differs from it beyond the reviewers' threshold; null otherwise."
        )
    )

    class Meta:
        model = Answer
        fields = [
            "id",
            "assessment",
            "question_code",
            "value",
            "status",
            "justification",
            "revision",
            "updated_at",
            "official",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_official(self, answer: Answer) -> dict | None:
        # The view loads the figures of a whole page in one query (``official_figures``).
        figures = self.context.get("official_figures", {})
        figure = figures.get(answer.assessment_id, {}).get(answer.question_code)
        return official_figure_data(figure, answer.value)


class AnswerInputSerializer(serializers.Serializer):
    """One answer to write. ``value`` is validated against the question by the answers service."""

    question_code = serializers.CharField(max_length=64)
    value = serializers.JSONField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=AnswerStatus.choices, default=AnswerStatus.ANSWERED)
    justification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_JUSTIFICATION_LENGTH
    )


class AnswersWriteSerializer(serializers.Serializer):
    """Answers to save, based on the assessment ``revision`` the client last read.

    With PATCH only the answers given change; with PUT answers not given are removed.
    """

    base_revision = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    answers = serializers.ListField(
        child=AnswerInputSerializer(), allow_empty=True, max_length=MAX_ANSWERS_PER_WRITE
    )

    def validate_answers(self, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        codes = [answer["question_code"] for answer in answers]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise serializers.ValidationError(
                f"Each question may appear once; repeated: {', '.join(duplicates)}."
            )
        return answers


class AnswersWriteResultSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    changed = serializers.ListField(child=serializers.CharField())
    answers = AnswerSerializer(many=True)


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    override = serializers.BooleanField(required=False, default=False)


class ScoreSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="assessment.round", read_only=True)
    country = serializers.CharField(source="assessment.country.alpha3", read_only=True)

    class Meta:
        model = Score
        fields = [
            "id",
            "run",
            "assessment",
            "country",
            "round",
            "level",
            "code",
            "position",
            *SCORE_VALUE_FIELDS,
            "marginal_gain",
        ]
        read_only_fields = fields


class GapSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="assessment.round", read_only=True)
    country = serializers.CharField(source="assessment.country.alpha3", read_only=True)
    indicator = serializers.CharField(source="code", read_only=True)

    class Meta:
        model = Score
        fields = [
            "id",
            "run",
            "assessment",
            "country",
            "round",
            "indicator",
            "score",
            "target",
            "gap",
            "relative_gap",
            "stage",
            "effective_weight",
            "interval_low",
            "interval_median",
            "interval_high",
        ]
        read_only_fields = fields


class InfluenceSerializer(serializers.Serializer):
    """One method choice and the share of the overall score's variance it explains (0–1)."""

    run = serializers.IntegerField()
    input = serializers.CharField(help_text="Name of the uncertain input, e.g. weights:pillar")
    label = serializers.CharField(help_text="The input in words, in the request's language")
    first = serializers.FloatField(allow_null=True, help_text="First-order Sobol index")
    first_low = serializers.FloatField(allow_null=True)
    first_high = serializers.FloatField(allow_null=True)
    total = serializers.FloatField(allow_null=True, help_text="Total Sobol index")
    total_low = serializers.FloatField(allow_null=True)
    total_high = serializers.FloatField(allow_null=True)


class PrioritySerializer(serializers.Serializer):
    country = serializers.CharField()
    country_name = serializers.CharField()
    region = serializers.CharField()
    round = serializers.IntegerField()
    framework = serializers.CharField()
    assessment_id = serializers.IntegerField()
    run_id = serializers.IntegerField()
    rank = serializers.IntegerField()
    indicator = serializers.CharField()
    title = serializers.CharField()
    pillar = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    target = serializers.FloatField()
    gap = serializers.FloatField(allow_null=True)
    effective_weight = serializers.FloatField()
    urgency = serializers.FloatField()
    feasibility = serializers.FloatField()
    priority = serializers.FloatField()
    cheapest_intervention = serializers.CharField(allow_blank=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    state = serializers.CharField(required=False)
    current_revision = serializers.IntegerField(required=False)
    changes = serializers.ListField(child=serializers.DictField(), required=False)


class TransitionRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    missing = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Codes of the required questions still unanswered (submit and resubmit).",
    )
