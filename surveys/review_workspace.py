"""Everything the reviewer workspace shows, gathered in a fixed number of queries.

"Fetch, then present": :func:`build_workspace` reads answers, evidence, stakeholders' answers and
queries once each and returns plain dataclasses the template only walks through.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from surveys.answer_text import answer_text
from surveys.extensions import low_agreement_by_question
from surveys.frameworks.spec import QuestionSpec, translate
from surveys.models import (
    Answer,
    Assessment,
    Evidence,
    Query,
    StakeholderAnswer,
)
from surveys.services.review import framework_spec, queries_with_messages


@dataclass
class StakeholderView:
    name: str
    organisation: str
    display: str
    justification: str


@dataclass
class QuestionRow:
    code: str
    text: str
    help: str
    answer: Answer | None
    display: str
    evidence: list[Any] = field(default_factory=list)
    stakeholders: list[StakeholderView] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)
    #: r_wg of the stakeholders' answers when the latest scoring flagged it as low.
    low_agreement_rwg: float | None = None

    @property
    def open_query_count(self) -> int:
        return sum(1 for query in self.queries if query.is_open)


@dataclass
class PillarSection:
    code: str
    title: str
    rows: list[QuestionRow]

    @property
    def answered_count(self) -> int:
        return sum(1 for row in self.rows if row.answer is not None)

    @property
    def open_query_count(self) -> int:
        return sum(row.open_query_count for row in self.rows)


@dataclass
class Workspace:
    assessment: Assessment
    pillars: list[PillarSection]
    open_queries: list[Query]


def build_workspace(assessment: Assessment, *, language: str) -> Workspace:
    """Answers pillar by pillar with justifications, evidence, stakeholders' answers and queries.

    Questions are in framework order; answers to codes the framework no longer has (or all
    answers, when the framework cannot be read) come last under "Other answers".
    """
    spec = framework_spec(assessment)
    answers = {a.question_code: a for a in Answer.objects.filter(assessment=assessment).order_by()}
    evidence: dict[str, list[Any]] = defaultdict(list)
    for item in Evidence.objects.filter(assessment=assessment).order_by("uploaded_at", "pk"):
        evidence[item.question_code].append(item)
    stakeholder_rows: dict[str, list[Any]] = defaultdict(list)
    stakeholder_answers = (
        StakeholderAnswer.objects.filter(invitation__assessment=assessment)
        .select_related("invitation")
        .order_by("invitation__created_at", "pk")
    )
    for item in stakeholder_answers:
        stakeholder_rows[item.question_code].append(item)
    queries: dict[str, list[Query]] = defaultdict(list)
    all_queries = queries_with_messages(assessment)
    for query in all_queries:
        queries[query.question_code].append(query)

    questions = spec.questions_by_code if spec is not None else {}
    low_agreement = low_agreement_by_question(assessment)

    def row(code: str, question: QuestionSpec | None) -> QuestionRow:
        answer = answers.get(code)
        return QuestionRow(
            code=code,
            text=translate(question.text, language) if question else code,
            help=translate(question.help, language) if question else "",
            answer=answer,
            display=answer_text(question, answer.value, answer.status, language=language)
            if answer
            else "—",
            evidence=evidence.get(code, []),
            stakeholders=[
                StakeholderView(
                    name=item.invitation.name,
                    organisation=item.invitation.organisation
                    or item.invitation.get_organisation_type_display(),
                    display=answer_text(question, item.value, item.status, language=language),
                    justification=item.justification,
                )
                for item in stakeholder_rows.get(code, [])
            ],
            queries=queries.get(code, []),
            low_agreement_rwg=low_agreement.get(code),
        )

    sections: list[PillarSection] = []
    if spec is not None:
        for pillar in spec.pillars:
            sections.append(
                PillarSection(
                    code=pillar.code,
                    title=translate(pillar.title, language),
                    rows=[row(q.code, q) for q in pillar.questions],
                )
            )
    others = sorted((set(answers) | set(queries)) - set(questions))
    if others:
        sections.append(
            PillarSection(
                code="other", title=_("Other answers"), rows=[row(c, None) for c in others]
            )
        )
    return Workspace(
        assessment=assessment,
        pillars=sections,
        open_queries=[query for query in all_queries if query.is_open],
    )
