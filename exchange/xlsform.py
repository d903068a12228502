"""A framework as an XLSForm: the questionnaire in the format KoboToolbox, ODK and Enketo read.

An XLSForm (https://xlsform.org) is a workbook with three sheets: ``survey`` (one row per
question or group), ``choices`` (the options of every ``select_*`` list) and ``settings``.
The mapping from the framework format (docs/framework-format.md) is:

=======================  ==================================================================
framework                XLSForm
=======================  ==================================================================
pillar, sub-pillar,      nested ``begin_group`` / ``end_group``, named by the code
indicator
question code            ``name`` (answers and submissions are matched on it)
maturity                 ``select_one`` of the levels (names ``0`` … ``5``)
yes_partial_no,          ``select_one`` of the choices
single_choice
multiple_choice          ``select_multiple`` of the choices
number, percentage       ``decimal`` with ``min``/``max`` as a ``constraint``
text, date, evidence     ``text``, ``date``, ``file``
help                     ``hint``
required                 ``required`` (with a ``required_message``)
show_if                  ``relevant`` (see :func:`show_if_to_xpath`)
choice points            an extra ``points`` column of ``choices`` (ignored by ODK; empty
                         for questions that are not scored)
goalposts of a number    an extra ``goalposts`` column of ``survey``: ``lower upper
                         direction transform``, e.g. ``2 25 lower_is_better ln``
=======================  ==================================================================

Every text column is written once per language of the framework as ``label::English (en)``,
``label::Français (fr)`` and so on. Scoring rules (weights, goalposts, targets) have no
XLSForm equivalent and stay in the framework file; "don't know" and "not applicable" are
platform answers that an XLSForm does not carry.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pycountry
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from surveys.frameworks.expressions import (
    And,
    Call,
    Compare,
    ListLiteral,
    Literal,
    Membership,
    Name,
    Node,
    Not,
    Or,
    parse,
)
from surveys.frameworks.spec import (
    FrameworkSpec,
    IndicatorSpec,
    QuestionSpec,
    QuestionType,
    translate,
)

__all__ = [
    "XlsForm",
    "framework_xlsform",
    "language_column",
    "show_if_to_xpath",
    "xlsform_file_name",
    "xlsform_workbook",
]

#: Native names of the languages a framework is most often written in; others come from
#: ISO 639 (pycountry), in English.
NATIVE_LANGUAGE_NAMES = {
    "ar": "العربية",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "pt": "Português",
    "ru": "Русский",
    "zh": "中文",
}

XLSFORM_TYPES = {
    QuestionType.MATURITY: "select_one",
    QuestionType.YES_PARTIAL_NO: "select_one",
    QuestionType.SINGLE_CHOICE: "select_one",
    QuestionType.MULTIPLE_CHOICE: "select_multiple",
    QuestionType.NUMBER: "decimal",
    QuestionType.PERCENTAGE: "decimal",
    QuestionType.TEXT: "text",
    QuestionType.DATE: "date",
    QuestionType.EVIDENCE: "file",
}


def language_column(language: str) -> str:
    """The XLSForm name of a language, e.g. ``English (en)`` (the form ODK expects)."""
    name = NATIVE_LANGUAGE_NAMES.get(language)
    if name is None:
        record = pycountry.languages.get(alpha_2=language.split("-")[0])
        name = record.name if record is not None else language
    return f"{name} ({language})"


# ---------------------------------------------------------------------------------------------
# show_if → XPath


def _xpath_string(text: str) -> str:
    # XPath 1.0 has no escapes: a string holding both quote kinds must be concatenated.
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in parts) + ")"


def _xpath_literal(literal: Literal) -> str:
    value = literal.value
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) and abs(value) < 1e15 else repr(value)
    return _xpath_string(value)


def _reference(name: Name) -> str:
    return "${" + name.code + "}"


def _known(node: Node) -> list[str]:
    """Guards that every question a comparison reads is answered (Kleene: else unknown)."""
    return [f"{_reference(name)} != ''" for name in _operand_names(node)]


def _operand_names(node: Node) -> list[Name]:
    if isinstance(node, Name):
        return [node]
    if isinstance(node, Compare):
        return _operand_names(node.left) + _operand_names(node.right)
    if isinstance(node, Membership):
        return _operand_names(node.item) + _operand_names(node.container)
    return []


def _operand(node: Node) -> str:
    if isinstance(node, Name):
        return _reference(node)
    if isinstance(node, Literal):
        return _xpath_literal(node)
    raise ValueError("a list can only stand on the right of 'in'")


_XPATH_OPERATORS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _membership(node: Membership, multiple: set[str]) -> str:
    """``item in container`` as XPath: ``selected()`` for multiple choice, else an ``or``."""
    container = node.container
    if isinstance(container, ListLiteral):
        item = _operand(node.item)
        tests = [f"{item} = {_xpath_literal(literal)}" for literal in container.items]
        return "(" + " or ".join(tests) + ")" if tests else "false()"
    if isinstance(container, Name) and container.code in multiple:
        return f"selected({_reference(container)}, {_operand(node.item)})"
    # A string container: the item is a substring of the answer.
    return f"contains({_operand(container)}, {_operand(node.item)})"


def _bare(node: Node, multiple: set[str]) -> str:
    """The two-valued test of a comparison, before the guards."""
    if isinstance(node, Compare):
        operator = _XPATH_OPERATORS[node.operator]
        return f"{_operand(node.left)} {operator} {_operand(node.right)}"
    if isinstance(node, Membership):
        test = _membership(node, multiple)
        return f"not({test})" if node.negated else test
    if isinstance(node, Name):
        return f"{_reference(node)} = 'true'"
    raise ValueError(f"cannot translate {node!r}")


def _join(operator: str, parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return "(" + f" {operator} ".join(parts) + ")"


def _truth(node: Node, multiple: set[str], wanted: bool) -> str:
    """XPath that is true exactly when ``node`` is definitely ``wanted`` (three-valued logic).

    Kleene's strong logic needs both sides: ``not A`` is true where ``A`` is definitely false,
    which is not ``not(A)`` in XPath (XPath would show a follow-up while ``A`` is unanswered).
    """
    if isinstance(node, Literal):
        return "true()" if bool(node.value) is wanted else "false()"
    if isinstance(node, Not):
        return _truth(node.operand, multiple, not wanted)
    if isinstance(node, And | Or):
        conjunctive = isinstance(node, And) is wanted
        parts = [_truth(operand, multiple, wanted) for operand in node.operands]
        return _join("and" if conjunctive else "or", parts)
    if isinstance(node, Call):
        reference = _reference(node.argument)
        if node.function == "answered":
            return f"{reference} != ''" if wanted else f"{reference} = ''"
        # An XLSForm has no "don't know" or "not applicable": such a test is always false.
        return "false()" if wanted else "true()"
    test = _bare(node, multiple)
    if not wanted:
        test = f"not({test})"
    return _join("and", [*_known(node), test])


def show_if_to_xpath(source: str, spec: FrameworkSpec) -> str:
    """Translate a ``show_if`` condition into an XLSForm ``relevant`` expression.

    The show_if language is three-valued: a comparison with an unanswered question is
    *unknown* and the question stays hidden (surveys/frameworks/expressions.py). XPath is
    two-valued and reads an unanswered question as ``''``. Each comparison is therefore
    guarded by ``${X} != ''`` for every question it reads, and ``not`` is pushed down to the
    comparisons (De Morgan), so the XPath is true exactly when the condition is true.

    Examples
    --------
    ``POL.1.a >= 2`` becomes ``(${POL.1.a} != '' and ${POL.1.a} >= 2)``;
    ``'fibre' in CON.4`` (multiple choice) becomes ``(${CON.4} != '' and selected(${CON.4},
    'fibre'))``.
    """
    multiple = {q.code for q in spec.questions if q.type is QuestionType.MULTIPLE_CHOICE}
    return _truth(parse(source), multiple, True)


# ---------------------------------------------------------------------------------------------
# Sheets


@dataclass
class XlsForm:
    """The three sheets as lists of rows keyed by column name (in column order)."""

    survey: list[dict[str, Any]] = field(default_factory=list)
    choices: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


def _number(value: float) -> str:
    return f"{value:g}"


def _texts(column: str, texts: dict[str, str], languages: tuple[str, ...]) -> dict[str, str]:
    return {f"{column}::{language_column(lang)}": texts.get(lang, "") for lang in languages}


def _in_languages(languages: tuple[str, ...], message: Callable[[], str]) -> dict[str, str]:
    """A platform message in every language of the framework (for constraint messages)."""
    texts = {}
    for language in languages:
        with translation.override(language):
            texts[language] = message()
    return texts


def _bounds(question: QuestionSpec) -> tuple[float | None, float | None]:
    if question.type is QuestionType.PERCENTAGE:
        low = 0.0 if question.minimum is None else question.minimum
        high = 100.0 if question.maximum is None else question.maximum
        return low, high
    return question.minimum, question.maximum


def _constraint(question: QuestionSpec, languages: tuple[str, ...]) -> dict[str, str]:
    low, high = _bounds(question)
    if low is not None and high is not None:
        expression = f". >= {_number(low)} and . <= {_number(high)}"
        bounds = {"low": _number(low), "high": _number(high)}
        message = _in_languages(
            languages, lambda: _("Enter a number from %(low)s to %(high)s.") % bounds
        )
    elif low is not None:
        expression = f". >= {_number(low)}"
        message = _in_languages(
            languages,
            lambda: _("Enter a number of at least %(minimum)s.") % {"minimum": _number(low)},
        )
    elif high is not None:
        expression = f". <= {_number(high)}"
        message = _in_languages(
            languages,
            lambda: _("Enter a number of at most %(maximum)s.") % {"maximum": _number(high)},
        )
    else:
        return {}
    return {"constraint": expression} | _texts("constraint_message", message, languages)


def _level_label(question: QuestionSpec, language: str, value: int) -> str:
    level = next(level for level in question.levels if level.value == value)
    label = translate(level.label, language) if level.label else ""
    descriptor = translate(level.descriptor, language)
    return f"{value} – {label}: {descriptor}" if label else f"{value} – {descriptor}"


def _choice_rows(question: QuestionSpec, languages: tuple[str, ...]) -> list[dict[str, Any]]:
    list_name = f"{question.code}"
    if question.type is QuestionType.MATURITY:
        return [
            {"list_name": list_name, "name": str(level.value)}
            | _texts(
                "label",
                {lang: _level_label(question, lang, level.value) for lang in languages},
                languages,
            )
            | ({"points": _number(level.score)} if question.scored else {})
            for level in question.levels
        ]
    return [
        {"list_name": list_name, "name": choice.code}
        | _texts("label", dict(choice.label), languages)
        | ({"points": _number(choice.points)} if question.scored else {})
        for choice in question.choices
    ]


def _question_row(
    question: QuestionSpec, spec: FrameworkSpec, languages: tuple[str, ...]
) -> dict[str, Any]:
    kind = XLSFORM_TYPES[question.type]
    if question.type.has_choices or question.type is QuestionType.MATURITY:
        kind = f"{kind} {question.code}"
    row: dict[str, Any] = {"type": kind, "name": question.code}
    row |= _texts("label", dict(question.text), languages)
    row |= _texts("hint", dict(question.help), languages)
    if question.required:
        row["required"] = "yes"
        row |= _texts(
            "required_message",
            _in_languages(languages, lambda: _("This question needs an answer.")),
            languages,
        )
    if question.type.numeric:
        row |= _constraint(question, languages)
        normalisation = question.normalisation
        if question.scored and normalisation is not None and normalisation.lower is not None:
            # A platform column (pyxform and ODK ignore it) so the import can score it again.
            row["goalposts"] = (
                f"{_number(normalisation.lower)} {_number(normalisation.upper or 0)} "
                f"{normalisation.direction.value} {normalisation.transform.value}"
            )
    if question.show_if:
        row["relevant"] = show_if_to_xpath(question.show_if, spec)
    return row


def _group(code: str, title: dict[str, str], languages: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "begin_group", "name": code} | _texts("label", title, languages)


def _survey_rows(spec: FrameworkSpec, form: XlsForm) -> Iterator[dict[str, Any]]:
    languages = spec.languages
    for pillar in spec.pillars:
        yield _group(pillar.code, dict(pillar.title), languages)
        parts: list[tuple[str | None, Any, tuple[IndicatorSpec, ...]]] = [
            (sub.code, sub.title, sub.indicators) for sub in pillar.sub_pillars
        ] or [(None, None, pillar.indicators)]
        for sub_code, sub_title, indicators in parts:
            if sub_code is not None:
                yield _group(sub_code, dict(sub_title or {}), languages)
            for indicator in indicators:
                yield _group(indicator.code, dict(indicator.title), languages)
                for question in indicator.questions:
                    yield _question_row(question, spec, languages)
                    if question.type.has_choices or question.type is QuestionType.MATURITY:
                        form.choices.extend(_choice_rows(question, languages))
                yield {"type": "end_group", "name": indicator.code}
            if sub_code is not None:
                yield {"type": "end_group", "name": sub_code}
        yield {"type": "end_group", "name": pillar.code}


def framework_xlsform(spec: FrameworkSpec) -> XlsForm:
    """The framework as XLSForm sheets (see the module docstring for the mapping)."""
    form = XlsForm()
    form.survey = list(_survey_rows(spec, form))
    default = spec.languages[0]
    form.settings = {
        "form_title": translate(spec.title, default),
        "form_id": spec.code,
        "version": spec.version,
        "default_language": language_column(default),
        "style": "pages",
    }
    return form


def _sheet(
    workbook: Workbook, title: str, rows: list[dict[str, Any]], columns: list[str] | None = None
) -> None:
    sheet = workbook.create_sheet(title)
    columns = list(columns or [])
    for row in rows:
        columns.extend(column for column in row if column not in columns)
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])


def xlsform_workbook(spec: FrameworkSpec) -> bytes:
    """The XLSForm of a framework as XLSX bytes."""
    form = framework_xlsform(spec)
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "survey", form.survey)
    # A form without choice lists still has a choices header, which readers expect.
    header = ["list_name", "name", *_texts("label", {}, spec.languages)]
    _sheet(workbook, "choices", form.choices, header)
    _sheet(workbook, "settings", [form.settings])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsform_file_name(spec: FrameworkSpec) -> str:
    return f"{spec.code}-{spec.version}-xlsform.xlsx"
