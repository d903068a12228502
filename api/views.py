"""REST API views: frameworks, countries, assessments, answers, scores, gaps and priorities.

Reads are narrowed to what the user may see (``surveys.permissions``); writes go through the
same services as the web pages — :func:`~surveys.services.answers.answers_save` for answers
and :func:`~surveys.services.signature.assessment_transition_signed` for the workflow — so
locking, revision checks, workflow rules, the e-signature of approve and reopen (the password
re-entered, throttled like sign-in) and the audit trail apply identically.

Error statuses: 404 for objects the user may not see, 403 for actions the user may not take,
409 for a locked assessment, an outdated revision or a workflow state that has moved on, 400
for invalid input.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from api import filters, serializers
from api.permissions import CanViewAssessment, IsPlanner
from api.throttling import ApiUploadThrottle, ApiUserThrottle
from exchange.exports import ExportSelection, priority_rows
from scoring.influence import influence_lines
from scoring.models import RunKind, RunStatus, Score, ScoreLevel, ScoreRun
from surveys import permissions
from surveys.models import Answer, Assessment, Framework
from surveys.services.answers import (
    AnswerInput,
    AnswerValidationError,
    AssessmentLocked,
    RevisionConflict,
    answers_save,
)
from surveys.services.official import assessments_official_figures
from surveys.services.signature import (
    SignatureError,
    SignatureLocked,
    SignatureMissing,
    assessment_transition_signed,
)
from surveys.services.workflow import (
    AssessmentIncomplete,
    ReasonRequired,
    TransitionError,
    TransitionNotPermitted,
)

#: Object ids in URLs: at most 18 digits, so absurd ids are a plain 404.
ID_PATTERN = "[0-9]{1,18}"


class ApiPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class _ReadOnly(viewsets.ReadOnlyModelViewSet):
    pagination_class = ApiPagination
    lookup_value_regex = ID_PATTERN


def latest_single_run_scores() -> QuerySet[Score]:
    """Scores of each assessment's latest complete single-assessment run.

    The latest run is chosen per run, not per score row: a subquery correlated with each
    Score row ran once per row of the table (for the page and again for its count), which
    made ``/api/scores/`` the slowest API call under load.
    """
    complete = ScoreRun.objects.filter(kind=RunKind.SINGLE, status=RunStatus.COMPLETE)
    latest = (
        complete.filter(assessment=OuterRef("assessment"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    return Score.objects.filter(run_id__in=complete.filter(pk=Subquery(latest)).values("pk"))


class FrameworkViewSet(_ReadOnly):
    """Published (and retired) framework versions; drafts only for administrators."""

    serializer_class = serializers.FrameworkSerializer

    def get_queryset(self) -> QuerySet[Framework]:
        frameworks = permissions.visible_frameworks(self.request.user).order_by("code", "version")
        if self.action == "list":
            frameworks = frameworks.defer("definition")
        return frameworks

    def get_serializer_class(self) -> type:
        if self.action == "retrieve":
            return serializers.FrameworkDetailSerializer
        return serializers.FrameworkSerializer


class CountryViewSet(_ReadOnly):
    """Countries whose assessments the user may read (all of them for planners and admins)."""

    serializer_class = serializers.CountrySerializer
    filterset_class = filters.CountryFilter
    lookup_field = "alpha3"
    lookup_value_regex = "[A-Za-z]{3}"

    def get_queryset(self) -> QuerySet[Any]:
        return permissions.visible_countries(self.request.user).order_by("name")

    def get_object(self) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        return get_object_or_404(queryset, alpha3=self.kwargs["alpha3"].upper())


class AssessmentViewSet(_ReadOnly):
    """Assessments the user may read, with their answers, scores, gaps and workflow actions."""

    serializer_class = serializers.AssessmentSerializer
    filterset_class = filters.AssessmentFilter
    permission_classes = [CanViewAssessment]
    allows_writes = True

    def get_queryset(self) -> QuerySet[Assessment]:
        assessments = permissions.visible_assessments(self.request.user).order_by(
            "-round", "country__name", "pk"
        )
        if self.action == "list":
            # A list shows each framework's code and version only. Its definition (~130 kB of
            # JSON, decoded again for every row) made this the slowest API read in the load
            # scenario (benchmarks/load/: 235 ms of SQL for 10 rows on PostgreSQL).
            assessments = assessments.defer("framework__definition", "framework__methodology")
        return assessments

    def get_permissions(self) -> list[Any]:
        from rest_framework.permissions import IsAuthenticated

        return [IsAuthenticated(), CanViewAssessment()]

    @extend_schema(
        methods=["GET"],
        responses=serializers.AnswerSerializer(many=True),
        summary="The assessment's answers",
    )
    @extend_schema(
        methods=["PUT", "PATCH"],
        request=serializers.AnswersWriteSerializer,
        responses={
            200: serializers.AnswersWriteResultSerializer,
            400: OpenApiTypes.OBJECT,
            403: serializers.ErrorSerializer,
            404: serializers.ErrorSerializer,
            409: serializers.ConflictSerializer,
        },
        summary="Save answers (PATCH: the answers given; PUT: the whole set)",
        description=(
            "Writes go through the same service as the wizard: only focal points of the "
            "country may write, only while the assessment is a draft or returned (409 "
            "otherwise). `base_revision` is the assessment revision the client last read: if "
            "someone has since changed one of the answers sent, or removed any answer, nothing "
            "is written (409 with the answers changed since); saves of other answers since do "
            "not stand in the way."
        ),
    )
    @action(
        detail=True,
        methods=["get", "put", "patch"],
        pagination_class=None,
        throttle_classes=[ApiUserThrottle, ApiUploadThrottle],
    )
    def answers(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        if request.method == "GET":
            rows = Answer.objects.filter(assessment=assessment).order_by("question_code")
            return Response(serializers.AnswerSerializer(rows, many=True).data)
        return self._write_answers(request, assessment, replace=request.method == "PUT")

    def _write_answers(
        self, request: Request, assessment: Assessment, *, replace: bool
    ) -> Response:
        if not permissions.can_contribute(request.user, assessment):
            raise PermissionDenied("Only the country's focal points may change answers.")
        write = serializers.AnswersWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        given = [AnswerInput(**answer) for answer in write.validated_data["answers"]]
        if replace:
            listed = {answer.question_code for answer in given}
            stored = Answer.objects.filter(assessment=assessment).values_list(
                "question_code", flat=True
            )
            given += [AnswerInput(code) for code in stored if code not in listed]
        try:
            saved = answers_save(
                assessment=assessment,
                actor=request.user,
                answers=given,
                base_revision=write.validated_data["base_revision"],
            )
        except AnswerValidationError as error:
            raise ValidationError({"answers": error.errors}) from None
        except AssessmentLocked as error:
            return Response(
                {"detail": str(error), "state": error.state}, status=status.HTTP_409_CONFLICT
            )
        except RevisionConflict as error:
            changes = [
                {
                    "question_code": change.question_code,
                    "value": change.value,
                    "status": change.status,
                    "changed_by": change.changed_by,
                    "changed_at": change.changed_at,
                    "revision": change.revision,
                }
                for change in error.changes
            ]
            return Response(
                {
                    "detail": str(error),
                    "current_revision": error.current_revision,
                    "changes": changes,
                },
                status=status.HTTP_409_CONFLICT,
            )
        rows = Answer.objects.filter(assessment=assessment).order_by("question_code")
        return Response(
            {
                "revision": saved.revision,
                "changed": list(saved.changed_codes),
                "answers": serializers.AnswerSerializer(rows, many=True).data,
            }
        )

    @extend_schema(
        request=serializers.TransitionSerializer,
        responses={
            200: serializers.AssessmentSerializer,
            400: OpenApiTypes.OBJECT,
            403: serializers.ErrorSerializer,
            404: serializers.ErrorSerializer,
            409: serializers.TransitionRefusedSerializer,
            429: serializers.ErrorSerializer,
        },
        summary="Move the assessment through its workflow (submit, approve, return...)",
        description=(
            "The same workflow service as the web pages decides: 403 when the user holds none "
            "of the roles the action needs, 400 when a written message is required, 409 when "
            "the state does not allow the action, queries are still open, or (submit, "
            "resubmit) required questions are unanswered — `missing` lists them.\n\n"
            "Approving and reopening are signed as on the web page (REDCap-style e-signature): "
            "send your own `password` with the request. Without it the answer is 400 "
            "(`password`), with a wrong one 403; wrong passwords are throttled like sign-in "
            "(`AXES_FAILURE_LIMIT` within `AXES_COOLOFF_MINUTES`), after which the answer is "
            "429 with `Retry-After` until the cool-off has passed. Nothing is changed on any "
            "of these answers."
        ),
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        data = serializers.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            assessment_transition_signed(
                assessment=assessment,
                action=data.validated_data["action"],
                actor=request.user,
                password=data.validated_data["password"],
                message=data.validated_data["message"],
                override=data.validated_data["override"],
            )
        except SignatureLocked as error:
            raise Throttled(wait=error.wait_seconds, detail=str(error)) from None
        except SignatureMissing as error:
            raise ValidationError({"password": [str(error)]}) from None
        except SignatureError as error:
            raise PermissionDenied(str(error)) from None
        except TransitionNotPermitted as error:
            raise PermissionDenied(str(error)) from None
        except ReasonRequired as error:
            raise ValidationError({"message": [str(error)]}) from None
        except AssessmentIncomplete as error:
            missing = [question.code for question in error.missing]
            return Response(
                {"detail": str(error), "missing": missing}, status=status.HTTP_409_CONFLICT
            )
        except TransitionError as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        assessment.refresh_from_db()
        return Response(serializers.AssessmentSerializer(assessment).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, enum=[level for level, _ in ScoreLevel.choices])
        ],
        responses=serializers.ScoreSerializer(many=True),
        summary="Scores of the latest complete run, with 5–95 % intervals",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def scores(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        rows = latest_single_run_scores().filter(assessment=assessment)
        level = request.query_params.get("level")
        if level:
            if level not in ScoreLevel.values:
                raise ValidationError({"level": f"Choose one of {', '.join(ScoreLevel.values)}."})
            rows = rows.filter(level=level)
        rows = rows.select_related("assessment__country").order_by("position", "pk")
        return Response(serializers.ScoreSerializer(rows, many=True).data)

    @extend_schema(
        responses=serializers.GapSerializer(many=True),
        summary="Indicator gaps of the latest complete run, largest first",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def gaps(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        rows = _gaps(latest_single_run_scores().filter(assessment=assessment))
        return Response(serializers.GapSerializer(rows, many=True).data)

    @extend_schema(
        responses=serializers.InfluenceSerializer(many=True),
        summary="What moves the overall score: Sobol indices of each method choice",
        description=(
            "First-order and total Sobol indices (shares of the variance of the overall score "
            "when the method varies) with 95 % intervals over independent replicates, from the "
            "latest complete run; largest total first. Empty when the run has no sensitivity "
            "analysis."
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def sensitivity(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        run = _latest_single_run(assessment)
        lines = [] if run is None else influence_lines(run.uncertainty, str(assessment.pk))
        data = [{"run": run.pk, **dataclasses.asdict(line)} for line in lines if run is not None]
        return Response(serializers.InfluenceSerializer(data, many=True).data)


def _latest_single_run(assessment: Assessment) -> ScoreRun | None:
    return (
        ScoreRun.objects.filter(
            assessment=assessment, kind=RunKind.SINGLE, status=RunStatus.COMPLETE
        )
        .only("pk", "uncertainty")
        .order_by("-created_at", "-pk")
        .first()
    )


def _gaps(scores: QuerySet[Score]) -> QuerySet[Score]:
    return (
        scores.filter(level=ScoreLevel.INDICATOR, gap__gt=0)
        .select_related("assessment__country")
        .order_by("assessment_id", "-gap", "code")
    )


class AnswerViewSet(_ReadOnly):
    """Official answers of the assessments the user may read."""

    serializer_class = serializers.AnswerSerializer
    filterset_class = filters.AnswerFilter
    permission_classes = [CanViewAssessment]

    def get_permissions(self) -> list[Any]:
        from rest_framework.permissions import IsAuthenticated

        return [IsAuthenticated(), CanViewAssessment()]

    def get_queryset(self) -> QuerySet[Answer]:
        visible = permissions.visible_assessments(self.request.user)
        return (
            Answer.objects.filter(assessment__in=visible)
            .select_related("assessment__country", "assessment__framework")
            .order_by("assessment_id", "question_code")
        )

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        # Official values of the page's assessments in one query, for the serializer.
        rows = page if page is not None else list(queryset)
        assessments = {answer.assessment_id: answer.assessment for answer in rows}
        self.official_figures = assessments_official_figures(assessments.values())
        return page

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        figures = getattr(self, "official_figures", None)
        if figures is None and self.kwargs.get("pk") is not None:
            answer = self.get_object()
            figures = assessments_official_figures([answer.assessment])
        context["official_figures"] = figures or {}
        return context


class ScoreViewSet(_ReadOnly):
    """Scores of each visible assessment's latest complete run, with intervals and ranks."""

    serializer_class = serializers.ScoreSerializer
    filterset_class = filters.ScoreFilter

    def get_permissions(self) -> list[Any]:
        from rest_framework.permissions import IsAuthenticated

        return [IsAuthenticated(), CanViewAssessment()]

    def get_queryset(self) -> QuerySet[Score]:
        visible = permissions.visible_assessments(self.request.user)
        return (
            latest_single_run_scores()
            .filter(assessment__in=visible)
            .select_related("assessment__country")
            .order_by("assessment_id", "position", "pk")
        )


class GapViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Indicator gaps (target − score > 0) of each visible assessment's latest run."""

    serializer_class = serializers.GapSerializer
    filterset_class = filters.GapFilter
    pagination_class = ApiPagination

    def get_queryset(self) -> QuerySet[Score]:
        visible = permissions.visible_assessments(self.request.user)
        return _gaps(latest_single_run_scores().filter(assessment__in=visible))


class PriorityList(ListAPIView):
    """Each country's gaps ranked by priority (planners and administrators).

    Uses each country's latest scored assessment and the framework's intervention catalogue,
    as the planner pages do.
    """

    serializer_class = serializers.PrioritySerializer
    permission_classes = [IsPlanner]
    pagination_class = ApiPagination
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[
            OpenApiParameter("country", str, description="ISO alpha-3 code"),
            OpenApiParameter("region", str, enum=[r for r, _ in filters.ItuRegion.choices]),
            OpenApiParameter("round", int),
            OpenApiParameter("framework", str),
            OpenApiParameter("method", str, enum=["weighted_sum", "topsis"]),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> list[dict[str, Any]]:  # type: ignore[override]
        form = filters.AssessmentFilter(self.request.query_params).form
        method = self.request.query_params.get("method", "weighted_sum")
        if not form.is_valid():
            raise ValidationError(form.errors)
        if method not in ("weighted_sum", "topsis"):
            raise ValidationError({"method": "Choose weighted_sum or topsis."})
        wanted = form.cleaned_data
        selection = ExportSelection(
            round=int(wanted["round"]) if wanted.get("round") is not None else None,
            countries=(wanted["country"],) if wanted.get("country") else (),
            region=wanted.get("region") or "",
            framework=wanted.get("framework") or "",
        )
        return list(
            priority_rows(
                countries=permissions.visible_countries(self.request.user),
                selection=selection,
                language=get_language() or "en",
                method=method,
            )
        )
