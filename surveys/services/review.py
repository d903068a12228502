"""Queries on answers during review: open, reply, resolve — each audited in its transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys import permissions
from surveys.audit import Change, audit_record
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Answer, Assessment, AssessmentState, Query, QueryMessage, QueryStatus

MAX_MESSAGE_LENGTH = 5000

# A reviewer asks questions while the assessment is under review; the discussion goes on while
# it is back with the focal point. Once approved the record is closed until reopened.
QUERY_OPEN_STATES = frozenset({AssessmentState.IN_REVIEW})
QUERY_DISCUSSION_STATES = frozenset(
    {
        AssessmentState.SUBMITTED,
        AssessmentState.IN_REVIEW,
        AssessmentState.RETURNED,
        AssessmentState.RESUBMITTED,
    }
)


class QueryError(Exception):
    """The query action is not allowed; the message says why, for the user."""


def framework_spec(assessment: Assessment) -> FrameworkSpec | None:
    """The assessment's framework as a spec, or ``None`` when its stored definition is unusable.

    Review pages degrade to a flat list of answers rather than failing on a broken framework.
    """
    from surveys.frameworks.reading import FrameworkError

    framework = assessment.framework
    if not framework.definition:
        return None
    try:
        return framework.spec
    except FrameworkError:
        return None


def _clean_text(text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise QueryError(_("Write a message."))
    if len(text) > MAX_MESSAGE_LENGTH:
        raise QueryError(
            _("A message can have at most %(limit)d characters.") % {"limit": MAX_MESSAGE_LENGTH}
        )
    return text


def _check_question(assessment: Assessment, question_code: str) -> None:
    spec = framework_spec(assessment)
    if spec is not None:
        known = question_code in spec.questions_by_code
    else:
        known = Answer.objects.filter(assessment=assessment, question_code=question_code).exists()
    if not known:
        raise QueryError(
            _("There is no question “%(code)s” in this assessment.") % {"code": question_code}
        )


def _query_ref(query: Query) -> str:
    return f"{query.pk}:{query.question_code}"


def query_open(
    *, assessment: Assessment, question_code: str, actor: AbstractBaseUser, text: str
) -> Query:
    """Open a query on one answer, with its first message.

    Only reviewers of the assessment's country and administrators may, and only while the
    assessment is in review.

    Raises
    ------
    QueryError
        When not allowed, when the question does not exist or the text is empty or too long.
    """
    if not permissions.can_review_assessment(actor, assessment):
        raise QueryError(_("Only reviewers can open queries."))
    if assessment.state not in QUERY_OPEN_STATES:
        raise QueryError(_("Start the review before opening queries."))
    text = _clean_text(text, required=True)
    _check_question(assessment, question_code)
    with transaction.atomic():
        query = Query.objects.create(
            assessment=assessment, question_code=question_code, opened_by=actor
        )
        QueryMessage.objects.create(query=query, author=actor, text=text)
        ref = _query_ref(query)
        audit_record(
            assessment=assessment,
            actor=actor,
            changes=[
                Change("query", ref, "status", None, QueryStatus.OPEN.value, action="query_open"),
                Change("query", ref, "message", None, text, action="query_open"),
            ],
        )
    return query


def query_reply(*, query: Query, actor: AbstractBaseUser, text: str) -> QueryMessage:
    """Add a message to an open query's thread (reviewers, administrators, focal points).

    Raises
    ------
    QueryError
        When not allowed, when the query is resolved or the assessment approved.
    """
    assessment = query.assessment
    if not permissions.can_discuss_queries(actor, assessment):
        raise QueryError(_("You cannot take part in this query."))
    if not query.is_open:
        raise QueryError(_("This query is resolved."))
    if assessment.state not in QUERY_DISCUSSION_STATES:
        raise QueryError(_("This assessment is approved; queries are closed."))
    text = _clean_text(text, required=True)
    with transaction.atomic():
        message = QueryMessage.objects.create(query=query, author=actor, text=text)
        audit_record(
            assessment=assessment,
            actor=actor,
            changes=[Change("query", _query_ref(query), "message", None, text, "query_reply")],
        )
    return message


def query_resolve(*, query: Query, actor: AbstractBaseUser, text: str = "") -> Query:
    """Mark a query resolved, with an optional closing message (reviewers and administrators).

    The status changes by a conditional UPDATE, so two reviewers resolving at once record it
    once.

    Raises
    ------
    QueryError
        When not allowed or already resolved.
    """
    assessment = query.assessment
    if not permissions.can_review_assessment(actor, assessment):
        raise QueryError(_("Only reviewers can resolve queries."))
    if assessment.state not in QUERY_DISCUSSION_STATES:
        raise QueryError(_("This assessment is approved; queries are closed."))
    text = _clean_text(text, required=False)
    now = timezone.now()
    with transaction.atomic():
        updated = Query.objects.filter(pk=query.pk, status=QueryStatus.OPEN).update(
            status=QueryStatus.RESOLVED, resolved_by=actor, resolved_at=now
        )
        if updated != 1:
            raise QueryError(_("This query is resolved."))
        ref = _query_ref(query)
        changes = [
            Change(
                "query",
                ref,
                "status",
                QueryStatus.OPEN.value,
                QueryStatus.RESOLVED.value,
                "query_resolve",
            )
        ]
        if text:
            QueryMessage.objects.create(query=query, author=actor, text=text)
            changes.append(Change("query", ref, "message", None, text, "query_resolve"))
        audit_record(assessment=assessment, actor=actor, changes=changes)
    query.status = QueryStatus.RESOLVED
    query.resolved_by = actor
    query.resolved_at = now
    return query


def queries_with_messages(assessment: Assessment, *, only_open: bool = False) -> list[Query]:
    """The assessment's queries with their threads and authors, in two queries."""
    queries = Query.objects.filter(assessment=assessment).select_related("opened_by", "resolved_by")
    if only_open:
        queries = queries.filter(status=QueryStatus.OPEN)
    return list(
        queries.prefetch_related(
            Prefetch(
                "messages",
                queryset=QueryMessage.objects.select_related("author").order_by("created_at", "pk"),
            )
        )
    )


def open_queries_by_question(assessment: Assessment) -> dict[str, list[Query]]:
    """Open queries of ``assessment`` keyed by question code, threads prefetched.

    For the wizard: ``open_queries_by_question(assessment).get(question.code, [])`` next to each
    question (template ``surveys/_question_queries.html``).
    """
    grouped: dict[str, list[Query]] = defaultdict(list)
    for query in queries_with_messages(assessment, only_open=True):
        grouped[query.question_code].append(query)
    return dict(grouped)


def open_query_counts(assessment_ids: Iterable[int]) -> dict[int, int]:
    """How many queries are open on each assessment (absent: none), in one query."""
    rows = (
        Query.objects.filter(assessment_id__in=list(assessment_ids), status=QueryStatus.OPEN)
        .values("assessment_id")
        .annotate(count=Count("pk"))
    )
    return {row["assessment_id"]: row["count"] for row in rows}


def replied_query_counts(assessment_ids: Iterable[int]) -> dict[int, int]:
    """How many open queries of each assessment were answered and wait for the reviewer.

    A query is answered when its latest message is not by the person who opened it (the focal
    point replied last); the reviewer's work queue shows these, in one query.
    """
    latest_author = Subquery(
        QueryMessage.objects.filter(query=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("author_id")[:1]
    )
    rows = (
        Query.objects.filter(assessment_id__in=list(assessment_ids), status=QueryStatus.OPEN)
        .annotate(latest_author=latest_author)
        .exclude(latest_author=F("opened_by_id"))
        .exclude(latest_author__isnull=True)
        .values("assessment_id")
        .annotate(count=Count("pk"))
    )
    return {row["assessment_id"]: row["count"] for row in rows}
