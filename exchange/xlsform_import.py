"""An XLSForm as a new framework draft: the subset that maps to the framework format (issue 20).

The convention (docs/xlsform.md) is the one the XLSForm export writes:

- ``settings``: ``form_id`` → framework code, ``version`` → version, ``form_title`` → title;
- languages from the ``label::Name (xx)`` columns; every ``label``, ``hint`` and
  ``constraint_message`` column must exist in every language;
- ``begin_group`` at the top level → pillar; a group holding questions → indicator; a group
  between the two → sub-pillar; group and question ``name`` → codes;
- types: ``select_one`` of a list named ``0``…``5`` (or ``1``…``5``) → maturity, of ``yes``,
  ``partial``, ``no`` → yes_partial_no, of anything else → single_choice; ``select_multiple``
  → multiple_choice; ``integer``/``decimal`` → number, with ``. >= a and . <= b`` constraints
  as min/max and an optional ``goalposts`` column (``lower upper direction transform``)
  that makes it scored; ``text``, ``date``, ``file`` → text, date, evidence;
- ``choices``: an optional ``points`` column gives the points of each choice (the score of
  each level for maturity); choice lists without points are imported unscored;
- ``relevant`` → ``show_if``, within the XPath subset the export writes: ``${X}``, numbers and
  quoted strings, ``= != < <= > >=``, ``and``, ``or``, ``not()``, ``selected()``, parentheses;
- ``required`` ``yes`` → required.

Anything else (another type, a repeat, a calculation, an XPath function outside the subset,
a missing language, a duplicate name, a cycle in relevance) is listed with its sheet, row and
column, and nothing is written. Weights, targets and aggregation have no XLSForm equivalent:
the draft takes the defaults; edit its YAML (``export_framework``) before publishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from exchange.imports import _text
from exchange.reading import ImportFileError, Table, open_table
from exchange.workbook import _sheet_names
from surveys.frameworks.loader import load_framework_data
from surveys.frameworks.persistence import FrameworkImmutableError, framework_load
from surveys.frameworks.reading import FrameworkError
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Framework

__all__ = ["XlsFormImportResult", "XlsFormProblem", "xlsform_import", "xpath_to_show_if"]

METADATA_TYPES = frozenset({"start", "end", "today", "deviceid", "username", "audit"})
_LANGUAGE_COLUMN = re.compile(r"^(label|hint|constraint_message|required_message)::.*\(([^()]+)\)$")
_CONSTRAINT = re.compile(
    r"^\s*\.\s*(>=|<=)\s*(-?[\d.]+)\s*(?:and\s*\.\s*(>=|<=)\s*(-?[\d.]+)\s*)?$"
)
_TYPES = {
    "integer": "number",
    "decimal": "number",
    "text": "text",
    "date": "date",
    "file": "evidence",
}


@dataclass(frozen=True)
class XlsFormProblem:
    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet}, row {self.row}, {self.column or '—'}: {self.reason}"


@dataclass
class XlsFormImportResult:
    problems: list[XlsFormProblem] = field(default_factory=list)
    spec: FrameworkSpec | None = None
    framework: Framework | None = None
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, sheet: str, row: int, column: str, reason: str) -> None:
        self.problems.append(XlsFormProblem(sheet, row, column, reason))


# ---------------------------------------------------------------------------------------------
# XPath (the subset the export writes) → show_if

_XPATH_TOKEN = re.compile(
    r"""\s*(?:
        (?P<reference>\$\{[A-Za-z][A-Za-z0-9_.]*\})
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<operator>!=|<=|>=|=|<|>)
      | (?P<word>and|or|not|selected|true|false)
      | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)


class XPathError(ValueError):
    pass


def _xpath_tokens(source: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    source = source.strip()
    while position < len(source):
        match = _XPATH_TOKEN.match(source, position)
        if match is None or match.end() == position:
            raise XPathError(
                _("“%(text)s” is outside the supported XPath subset.")
                % {"text": source[position : position + 20].strip()}
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _XPathParser:
    """Recursive descent over the subset; produces show_if source text."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("end", "")

    def take(self, text: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (text is not None and token[1] != text):
            raise XPathError(
                _("Expected “%(want)s” in the relevance expression.") % {"want": text or "…"}
            )
        self.index += 1
        return token

    def expression(self) -> str:
        parts = [self.conjunction()]
        while self.peek() == ("word", "or"):
            self.take()
            parts.append(self.conjunction())
        return " or ".join(parts)

    def conjunction(self) -> str:
        parts = [self.unary()]
        while self.peek() == ("word", "and"):
            self.take()
            parts.append(self.unary())
        return " and ".join(parts)

    def unary(self) -> str:
        kind, text = self.peek()
        if (kind, text) == ("word", "not"):
            self.take()
            self.take("(")
            inner = self.expression()
            self.take(")")
            return f"not ({inner})"
        if (kind, text) == ("word", "selected"):
            self.take()
            self.take("(")
            reference = self.operand()
            self.take(",")
            option = self.operand()
            self.take(")")
            return f"{option} in {reference}"
        if (kind, text) == ("punct", "("):
            self.take()
            inner = self.expression()
            self.take(")")
            return f"({inner})"
        if kind == "word" and text in ("true", "false"):
            self.take()
            self.take("(")
            self.take(")")
            return text
        left = self.operand()
        kind, operator = self.peek()
        if kind != "operator":
            raise XPathError(_("A comparison is needed after %(left)s.") % {"left": left})
        self.take()
        right = self.operand()
        if right == "''" and operator in ("=", "!="):
            return f"answered({left})" if operator == "!=" else f"not answered({left})"
        return f"{left} {'==' if operator == '=' else operator} {right}"

    def operand(self) -> str:
        kind, text = self.take()
        if kind == "reference":
            return text[2:-1]
        if kind in ("number", "string"):
            return text
        raise XPathError(_("“%(text)s” cannot stand here.") % {"text": text})


def xpath_to_show_if(source: str) -> str:
    """Translate an XLSForm ``relevant`` in the supported subset into show_if source.

    >>> xpath_to_show_if("(${POL.1.a} != '' and ${POL.1.a} >= 2)")
    '(answered(POL.1.a) and POL.1.a >= 2)'
    >>> xpath_to_show_if("selected(${CON.4}, 'fibre') or not(${X} = 'no')")
    "'fibre' in CON.4 or not (X == 'no')"
    """
    parser = _XPathParser(_xpath_tokens(source))
    result = parser.expression()
    if parser.peek()[0] != "end":
        raise XPathError(_("Unexpected “%(text)s”.") % {"text": parser.peek()[1]})
    return result


# ---------------------------------------------------------------------------------------------
# Sheets


def _languages(table: Table) -> list[str]:
    found: list[str] = []
    for column in table.columns:
        match = _LANGUAGE_COLUMN.match(column)
        if match and match.group(2) not in found:
            found.append(match.group(2))
    return found


def _texts(cells: dict[str, Any], columns: dict[str, str]) -> dict[str, str]:
    return {lang: _text(cells.get(column)) for lang, column in columns.items() if column}


def _language_columns(
    table: Table, sheet: str, languages: list[str], result: XlsFormImportResult
) -> dict[str, dict[str, str]]:
    """``label``/``hint``/... → language → column; a column missing a language is a problem."""
    found: dict[str, dict[str, str]] = {}
    for column in table.columns:
        match = _LANGUAGE_COLUMN.match(column)
        if match:
            found.setdefault(match.group(1), {})[match.group(2)] = column
    for base, by_language in found.items():
        for language in languages:
            if language not in by_language:
                result.add(
                    sheet,
                    1,
                    f"{base}::… ({language})",
                    _("The language %(language)s is missing for this column.")
                    % {"language": language},
                )
    return found


@dataclass
class _Group:
    code: str
    title: dict[str, str]
    row: int
    children: list[Any] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)


def _read_choices(
    table: Table, languages: list[str], result: XlsFormImportResult
) -> dict[str, list[dict[str, Any]]]:
    columns = _language_columns(table, "choices", languages, result).get("label", {})
    lists: dict[str, list[dict[str, Any]]] = {}
    for row in table.rows:
        cells = row.cells
        list_name, name = _text(cells.get("list_name")), _text(cells.get("name"))
        if not list_name:
            continue
        item: dict[str, Any] = {
            "code": name,
            "label": _texts(cells, columns),
            "row": row.number,
        }
        points = _text(cells.get("points"))
        if points:
            try:
                item["points"] = float(points)
            except ValueError:
                result.add("choices", row.number, "points", _("Points must be a number."))
        if any(existing["code"] == name for existing in lists.get(list_name, [])):
            result.add(
                "choices",
                row.number,
                "name",
                _("The choice %(name)s appears twice in list %(list)s.")
                % {"name": name, "list": list_name},
            )
        lists.setdefault(list_name, []).append(item)
    return lists


def _choice_question(
    kind: str, options: list[dict[str, Any]], question: dict[str, Any]
) -> dict[str, Any]:
    names = [option["code"] for option in options]
    has_points = any("points" in option for option in options)
    if kind == "select_one" and names in (
        [str(n) for n in range(6)],
        [str(n) for n in range(1, 6)],
    ):
        question["type"] = "maturity"
        question["scale"] = [int(names[0]), 5]
        question["levels"] = [
            {"level": int(option["code"]), "descriptor": option["label"]}
            | ({"score": option["points"]} if "points" in option else {})
            for option in options
        ]
        return question
    if kind == "select_one" and names == ["yes", "partial", "no"]:
        question["type"] = "yes_partial_no"
    else:
        question["type"] = "single_choice" if kind == "select_one" else "multiple_choice"
    question["choices"] = [
        {"code": option["code"], "label": option["label"]}
        | ({"points": option["points"]} if "points" in option else {})
        for option in options
    ]
    if not has_points and question["type"] != "yes_partial_no":
        question["scored"] = False
    return question


def _read_question(
    row: Any,
    kind: str,
    columns: dict[str, dict[str, str]],
    lists: dict[str, list[dict[str, Any]]],
    result: XlsFormImportResult,
) -> dict[str, Any] | None:
    cells = row.cells
    name = _text(cells.get("name"))
    question: dict[str, Any] = {
        "code": name,
        "text": _texts(cells, columns.get("label", {})),
    }
    hint = _texts(cells, columns.get("hint", {}))
    if any(hint.values()):
        question["help"] = hint
    base, _space, list_name = kind.partition(" ")
    if base in ("select_one", "select_multiple"):
        options = lists.get(list_name.strip())
        if options is None:
            result.add(
                "survey",
                row.number,
                "type",
                _("The choice list %(list)s is not in the choices sheet.")
                % {"list": list_name.strip()},
            )
            return None
        question = _choice_question(base, options, question)
    elif base in _TYPES:
        question["type"] = _TYPES[base]
        if question["type"] == "number":
            question["scored"] = False
            constraint = _text(cells.get("constraint"))
            match = _CONSTRAINT.match(constraint) if constraint else None
            if constraint and match is None:
                result.add(
                    "survey",
                    row.number,
                    "constraint",
                    _("Only “. >= a”, “. <= b” or both joined by “and” can be imported."),
                )
            elif match:
                pairs = [(match.group(1), match.group(2)), (match.group(3), match.group(4))]
                for operator, number in pairs:
                    if operator:
                        question["min" if operator == ">=" else "max"] = float(number)
            goalposts = _text(cells.get("goalposts")).split()
            if goalposts:
                try:
                    lower, upper = float(goalposts[0]), float(goalposts[1])
                except (ValueError, IndexError):
                    result.add(
                        "survey",
                        row.number,
                        "goalposts",
                        _("Write the goalposts as “lower upper [direction] [transform]”."),
                    )
                else:
                    question["scored"] = True
                    question["normalisation"] = {
                        "method": "goalposts",
                        "lower": lower,
                        "upper": upper,
                    } | dict(zip(("direction", "transform"), goalposts[2:4], strict=False))
    else:
        result.add(
            "survey",
            row.number,
            "type",
            _("The type “%(type)s” has no equivalent in the framework format.") % {"type": kind},
        )
        return None
    if _text(cells.get("required")).lower() in ("yes", "true", "true()"):
        question["required"] = True
    relevant = _text(cells.get("relevant"))
    if relevant:
        try:
            question["show_if"] = xpath_to_show_if(relevant)
        except XPathError as error:
            result.add("survey", row.number, "relevant", str(error))
    return question


def _read_survey(
    table: Table,
    languages: list[str],
    lists: dict[str, list[dict[str, Any]]],
    result: XlsFormImportResult,
) -> list[_Group]:
    columns = _language_columns(table, "survey", languages, result)
    top: list[_Group] = []
    stack: list[_Group] = []
    names: dict[str, int] = {}
    for row in table.rows:
        cells = row.cells
        kind = " ".join(_text(cells.get("type")).split())
        name = _text(cells.get("name"))
        if not kind:
            continue
        if kind in METADATA_TYPES:
            continue
        if kind in ("end_group", "end group"):
            if not stack:
                result.add("survey", row.number, "type", _("This end_group closes no group."))
            else:
                stack.pop()
            continue
        if name in names:
            result.add(
                "survey",
                row.number,
                "name",
                _("The name %(name)s is already used in row %(row)s.")
                % {"name": name, "row": names[name]},
            )
            continue
        names[name] = row.number
        if kind in ("begin_group", "begin group"):
            group = _Group(name, _texts(cells, columns.get("label", {})), row.number)
            (stack[-1].children if stack else top).append(group)
            stack.append(group)
            continue
        if not stack:
            result.add(
                "survey",
                row.number,
                "name",
                _("A question must be inside a pillar group and an indicator group."),
            )
            continue
        question = _read_question(row, kind, columns, lists, result)
        if question is not None:
            question["_row"] = row.number
            stack[-1].questions.append(question)
    for group in stack:
        result.add("survey", group.row, "type", _("This group is never closed (end_group)."))
    return top


def _indicator(group: _Group, places: dict[str, tuple[int, str]], path: str) -> dict[str, Any]:
    places[path] = (group.row, "name")
    questions = []
    for index, question in enumerate(group.questions):
        places[f"{path}.questions[{index}]"] = (question.pop("_row"), "")
        questions.append(question)
    return {"code": group.code, "title": group.title, "questions": questions}


def _pillar(
    group: _Group, index: int, places: dict[str, tuple[int, str]], result: XlsFormImportResult
) -> dict[str, Any]:
    path = f"pillars[{index}]"
    places[path] = (group.row, "name")
    pillar: dict[str, Any] = {"code": group.code, "title": group.title}
    if group.questions:
        result.add(
            "survey",
            group.row,
            "name",
            _("Questions of a pillar group must be inside indicator groups."),
        )
    if any(child.children for child in group.children):
        pillar["sub_pillars"] = []
        for sub_index, sub in enumerate(group.children):
            sub_path = f"{path}.sub_pillars[{sub_index}]"
            places[sub_path] = (sub.row, "name")
            pillar["sub_pillars"].append(
                {
                    "code": sub.code,
                    "title": sub.title,
                    "indicators": [
                        _indicator(child, places, f"{sub_path}.indicators[{i}]")
                        for i, child in enumerate(sub.children)
                    ],
                }
            )
    else:
        pillar["indicators"] = [
            _indicator(child, places, f"{path}.indicators[{i}]")
            for i, child in enumerate(group.children)
        ]
    return pillar


def _place(path: str, places: dict[str, tuple[int, str]]) -> tuple[str, int, str]:
    """The survey row of a loader problem (its longest known path prefix)."""
    best = ""
    for known in places:
        if (path == known or path.startswith(known + ".")) and len(known) > len(best):
            best = known
    if not best:
        return "settings", 2, ""
    row, column = places[best]
    rest = path[len(best) :].lstrip(".")
    columns = {"show_if": "relevant", "choices": "type", "levels": "type", "text": "label"}
    return "survey", row, columns.get(rest.split(".")[0].split("[")[0], column)


def xlsform_import(
    *, source: IO[bytes], name: str, size: int | None = None, dry_run: bool = True
) -> XlsFormImportResult:
    """Read an XLSForm as a framework and store it as a new draft (unless ``dry_run``).

    Raises
    ------
    ImportFileError
        The file is not a readable workbook or goes past the import limits.
    """
    result = XlsFormImportResult(dry_run=dry_run)

    def sheet_table(sheet: str | None) -> Table:
        source.seek(0)
        return open_table(source, name=name, size=size, sheet=sheet)

    # The import limits and safety checks come first (first sheet, archive bounds, entities).
    if sheet_table(None).file_format != "xlsx":
        raise ImportFileError(_("An XLSForm is an Excel workbook (.xlsx)."))
    sheets = _sheet_names(source)
    for sheet in ("survey", "choices", "settings"):
        if sheet not in sheets:
            result.add(sheet, 0, "", _("This sheet is missing."))
    if not result.ok:
        return result
    settings_row = next(iter(sheet_table("settings").rows), None)
    settings_cells = settings_row.cells if settings_row else {}
    survey = sheet_table("survey")
    languages = _languages(survey)
    if not languages:
        result.add("survey", 1, "label", _("Give every label a language: label::English (en)."))
        return result
    lists = _read_choices(sheet_table("choices"), languages, result)
    groups = _read_survey(survey, languages, lists, result)
    title = _text(settings_cells.get("form_title"))
    places: dict[str, tuple[int, str]] = {}
    data = {
        "code": _text(settings_cells.get("form_id")),
        "version": _text(settings_cells.get("version")) or "1",
        "languages": languages,
        "title": dict.fromkeys(languages, title),
        "pillars": [_pillar(group, index, places, result) for index, group in enumerate(groups)],
    }
    if not result.ok:
        return result
    try:
        spec = load_framework_data(data)
    except FrameworkError as error:
        for issue in error.issues:
            sheet, row, column = _place(issue.path, places)
            if issue.path in ("code", "version", "title"):
                sheet, row, column = "settings", 2, {"code": "form_id"}.get(issue.path, issue.path)
            result.add(sheet, row, column, issue.message)
        return result
    result.spec = spec
    if (
        Framework.objects.filter(code=spec.code, version=spec.version)
        .exclude(status="draft")
        .exists()
    ):
        result.add(
            "settings",
            2,
            "version",
            _("%(code)s %(version)s is already published: give the form a new version.")
            % {"code": spec.code, "version": spec.version},
        )
        return result
    if dry_run:
        return result
    try:
        result.framework = framework_load(spec, publish=False).framework
    except (FrameworkImmutableError, FrameworkError) as error:
        result.add("settings", 2, "version", str(error))
    return result
