"""Import templates, per framework: the files users fill in and send back.

The answers template lists every question (code, pillar, indicator, text, type and what may be
entered) with empty ``value``, ``status`` and ``justification`` columns, optionally filled
with an assessment's current answers. The statistics template lists every code a statistic may
carry, with empty ``country``, ``year``, ``value`` and ``source`` columns. Rows left empty are
ignored by the imports, so a partly filled template imports cleanly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from exchange.exports import ExportTable, export_stream
from exchange.imports import MULTIPLE_CHOICE_SEPARATOR, statistic_questions
from surveys.frameworks.spec import FrameworkSpec, QuestionSpec, QuestionType, translate
from surveys.models import Answer, Assessment, Framework

__all__ = [
    "ANSWER_TEMPLATE_COLUMNS",
    "STATISTIC_TEMPLATE_COLUMNS",
    "TEMPLATE_KINDS",
    "accepted_values",
    "answers_template",
    "statistics_template",
    "template_stream",
]

TEMPLATE_KINDS = ("answers", "statistics")
ANSWER_TEMPLATE_COLUMNS = [
    "question_code",
    "pillar",
    "indicator",
    "question",
    "type",
    "accepted_values",
    "value",
    "status",
    "justification",
]
STATISTIC_TEMPLATE_COLUMNS = ["country", "code", "year", "value", "source", "question", "range"]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def accepted_values(question: QuestionSpec, language: str = "en") -> str:
    """What may be typed in the value column, in words a spreadsheet user understands."""
    kind = question.type
    if kind.numeric:
        low, high = _number(question.minimum), _number(question.maximum)
        if low and high:
            return _("a number from %(low)s to %(high)s") % {"low": low, "high": high}
        return _("a number (decimal point)")
    if kind is QuestionType.MATURITY:
        levels = [level.value for level in question.levels]
        return _("a level from %(low)s to %(high)s") % {"low": min(levels), "high": max(levels)}
    if kind is QuestionType.MULTIPLE_CHOICE:
        codes = MULTIPLE_CHOICE_SEPARATOR.join(choice.code for choice in question.choices)
        return _("codes separated by %(sep)s among: %(codes)s") % {
            "sep": MULTIPLE_CHOICE_SEPARATOR,
            "codes": codes,
        }
    if kind.has_choices:
        return _("one of: %(codes)s") % {
            "codes": ", ".join(choice.code for choice in question.choices)
        }
    if kind is QuestionType.DATE:
        return _("a date, year-month-day (2025-03-31)")
    if kind is QuestionType.EVIDENCE:
        return _("(attach evidence on the assessment's pages)")
    return _("text")


def _template_value(value: Any, status: str) -> tuple[Any, str]:
    if status != "answered":
        return None, status
    if isinstance(value, list):
        return MULTIPLE_CHOICE_SEPARATOR.join(value), ""
    return value, ""


def answers_template(
    framework: Framework, *, language: str = "en", assessment: Assessment | None = None
) -> ExportTable:
    """One row per question; with ``assessment``, its current answers filled in."""
    spec: FrameworkSpec = framework.spec
    stored: dict[str, Answer] = {}
    if assessment is not None:
        stored = {answer.question_code: answer for answer in assessment.answers.all()}

    def rows() -> Iterator[list[Any]]:
        for pillar, _sub, indicator in spec.iter_indicators_with_parents():
            for question in indicator.questions:
                answer = stored.get(question.code)
                value, status = (None, "")
                justification = ""
                if answer is not None:
                    value, status = _template_value(answer.value, answer.status)
                    justification = answer.justification
                yield [
                    question.code,
                    pillar.code,
                    indicator.code,
                    translate(question.text, language),
                    question.type.value,
                    accepted_values(question, language),
                    value,
                    status,
                    justification,
                ]

    name = f"answers-template-{spec.code}-{spec.version}"
    return ExportTable(list(ANSWER_TEMPLATE_COLUMNS), rows(), name)


def statistics_template(framework: Framework, *, language: str = "en") -> ExportTable:
    """One row per statistic code, with the question it fills and the accepted range."""
    spec = framework.spec

    def rows() -> Iterator[list[Any]]:
        for code, question in statistic_questions(spec).items():
            low, high = _number(question.minimum), _number(question.maximum)
            if question.type is QuestionType.PERCENTAGE:
                low, high = low or "0", high or "100"
            span = f"{low}–{high}" if low or high else ""
            yield [None, code, None, None, None, translate(question.text, language), span]

    name = f"statistics-template-{spec.code}-{spec.version}"
    return ExportTable(list(STATISTIC_TEMPLATE_COLUMNS), rows(), name)


def template_stream(
    framework: Framework,
    *,
    kind: str,
    file_format: str,
    language: str = "en",
    assessment: Assessment | None = None,
) -> tuple[Iterator[bytes], str, str]:
    """(byte chunks, content type, file name) of a template; CSV templates carry a BOM so
    Excel opens them as UTF-8."""
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"Unknown template {kind!r}; choose answers or statistics.")
    if file_format not in ("csv", "xlsx"):
        raise ValueError("Templates are CSV or XLSX files.")
    if kind == "answers":
        table = answers_template(framework, language=language, assessment=assessment)
    else:
        table = statistics_template(framework, language=language)
    chunks, content_type, _name = export_stream(table, file_format=file_format, bom=True)
    return chunks, content_type, f"{table.name}.{file_format}"
