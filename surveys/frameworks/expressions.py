"""The ``show_if`` language: a small, safe expression language over earlier answers.

Grammar (EBNF; keywords are lower case)::

    condition  = or_expr ;
    or_expr    = and_expr { "or" and_expr } ;
    and_expr   = not_expr { "and" not_expr } ;
    not_expr   = "not" not_expr | comparison ;
    comparison = operand [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) operand
                         | [ "not" ] "in" operand ] ;
    operand    = NUMBER | STRING | "true" | "false" | CODE | call | list | "(" or_expr ")" ;
    call       = ( "answered" | "dont_know" | "not_applicable" ) "(" CODE ")" ;
    list       = "[" [ literal { "," literal } [ "," ] ] "]" ;

``CODE`` is a question code (letters, digits, ``_`` and inner dots, e.g. ``CON.1.a``).
Source text is tokenised and parsed into a tree of frozen dataclasses; nothing is ever passed
to ``eval`` or ``exec``, there is no attribute access, and only the three functions above exist.

Evaluation uses three-valued (Kleene) logic. A comparison is *unknown* when a question it
reads is unanswered, hidden, "don't know" or "not applicable", or when the two sides have
incompatible types. ``not unknown`` is unknown; ``false and unknown`` is false;
``true or unknown`` is true. A question is shown only when its condition is *true*, so a
follow-up question stays hidden while the answer it depends on is missing. Use the total
functions ``answered(X)``, ``dont_know(X)`` and ``not_applicable(X)`` to react to those states
explicitly.

Examples
--------
>>> condition = parse("POL.1 >= 3 and 'fibre' in CON.4")
>>> sorted(references(condition))
['CON.4', 'POL.1']
>>> evaluate(condition, {"POL.1": 4, "CON.4": ["fibre", "satellite"]})
True
>>> evaluate(condition, {"POL.1": Missing.DONT_KNOW, "CON.4": ["fibre"]}) is None
True
>>> is_true(parse("not answered(POL.1)"), {})
True
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from surveys.frameworks.spec import Missing, QuestionSpec, QuestionType

__all__ = [
    "FUNCTIONS",
    "And",
    "Call",
    "Compare",
    "ExpressionError",
    "ListLiteral",
    "Literal",
    "Membership",
    "Name",
    "Node",
    "Not",
    "Or",
    "check_condition",
    "evaluate",
    "find_cycles",
    "is_true",
    "parse",
    "references",
    "visible_question_codes",
]

MAX_LENGTH = 2000
MAX_DEPTH = 40
FUNCTIONS = ("answered", "dont_know", "not_applicable")
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
COMPARISON_OPERATORS = ("==", "!=", "<=", ">=", "<", ">")


class ExpressionError(ValueError):
    """A condition that cannot be parsed; ``position`` is the 0-based column of the problem."""

    def __init__(self, message: str, position: int | None = None) -> None:
        self.position = position
        where = f" at column {position + 1}" if position is not None else ""
        super().__init__(f"{message}{where}")


@dataclass(frozen=True)
class Literal:
    value: float | str | bool


@dataclass(frozen=True)
class ListLiteral:
    items: tuple[Literal, ...]


@dataclass(frozen=True)
class Name:
    code: str
    position: int = 0


@dataclass(frozen=True)
class Call:
    function: str
    argument: Name


@dataclass(frozen=True)
class Compare:
    operator: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Membership:
    item: Node
    container: Node
    negated: bool = False


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Literal | ListLiteral | Name | Call | Compare | Membership | Not | And | Or


_TOKEN_PATTERN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)
  | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
  | (?P<operator>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],])
    """,
    re.VERBOSE,
)
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t"}


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, name, keyword, operator, punct, end
    text: str
    position: int
    value: float | str | None = None


def _unescape(body: str, position: int) -> str:
    result: list[str] = []
    index = 0
    while index < len(body):
        character = body[index]
        if character == "\\":
            escaped = body[index + 1]
            if escaped not in _ESCAPES:
                raise ExpressionError(f"unknown escape '\\{escaped}' in string", position + index)
            result.append(_ESCAPES[escaped])
            index += 2
        else:
            result.append(character)
            index += 1
    return "".join(result)


def _tokenise(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN_PATTERN.match(source, position)
        if match is None:
            raise ExpressionError(f"unexpected character {source[position]!r}", position)
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "number":
            value = float(text)
            if not math.isfinite(value):
                raise ExpressionError(f"number {text} is out of range", position)
            tokens.append(_Token("number", text, position, value))
        elif kind == "string":
            tokens.append(_Token("string", text, position, _unescape(text[1:-1], position + 1)))
        elif kind == "name":
            if "__" in text:
                raise ExpressionError(f"names containing '__' are not allowed: {text!r}", position)
            tokens.append(_Token("keyword" if text in KEYWORDS else "name", text, position))
        elif kind in ("operator", "punct"):
            tokens.append(_Token(kind, text, position))
        position = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenise(source)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.current
        return token.kind == kind and (text is None or token.text == text)

    def expect(self, kind: str, text: str) -> _Token:
        if not self.at(kind, text):
            raise self.unexpected(f"'{text}'")
        return self.advance()

    def unexpected(self, wanted: str) -> ExpressionError:
        token = self.current
        found = "end of condition" if token.kind == "end" else repr(token.text)
        return ExpressionError(f"expected {wanted}, found {found}", token.position)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"condition nested deeper than {MAX_DEPTH} levels")

    def parse(self) -> Node:
        node = self.or_expr()
        if not self.at("end"):
            raise self.unexpected("'and', 'or' or end of condition")
        return node

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.at("keyword", "or"):
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.not_expr()]
        while self.at("keyword", "and"):
            self.advance()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_expr(self) -> Node:
        if self.at("keyword", "not"):
            self.advance()
            self.enter()
            operand = self.not_expr()
            self.depth -= 1
            return Not(operand)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        if self.at("operator"):
            operator = self.advance().text
            return Compare(operator, left, self.operand())
        if self.at("keyword", "in"):
            self.advance()
            return Membership(left, self.operand())
        if self.at("keyword", "not") and self.tokens[self.index + 1].text == "in":
            self.index += 2
            return Membership(left, self.operand(), negated=True)
        return left

    def operand(self) -> Node:
        token = self.current
        if token.kind == "number":
            self.advance()
            return Literal(token.value)  # type: ignore[arg-type]
        if token.kind == "string":
            self.advance()
            return Literal(token.value)  # type: ignore[arg-type]
        if token.kind == "keyword" and token.text in ("true", "false"):
            self.advance()
            return Literal(token.text == "true")
        if token.kind == "name":
            return self.name_or_call()
        if self.at("punct", "["):
            return self.list_literal()
        if self.at("punct", "("):
            self.advance()
            self.enter()
            node = self.or_expr()
            self.depth -= 1
            self.expect("punct", ")")
            return node
        raise self.unexpected("a question code, a number, a string, true, false, '(' or '['")

    def name_or_call(self) -> Node:
        token = self.advance()
        if not self.at("punct", "("):
            return Name(token.text, token.position)
        if token.text not in FUNCTIONS:
            raise ExpressionError(
                f"unknown function {token.text!r}; allowed: {', '.join(FUNCTIONS)}",
                token.position,
            )
        self.advance()
        if not self.at("name"):
            raise self.unexpected(f"a question code as the argument of {token.text}()")
        argument = self.advance()
        self.expect("punct", ")")
        return Call(token.text, Name(argument.text, argument.position))

    def list_literal(self) -> ListLiteral:
        self.advance()
        items: list[Literal] = []
        while not self.at("punct", "]"):
            token = self.current
            if token.kind in ("number", "string"):
                items.append(Literal(token.value))  # type: ignore[arg-type]
            elif token.kind == "keyword" and token.text in ("true", "false"):
                items.append(Literal(token.text == "true"))
            else:
                raise self.unexpected("a number, a string, true or false in the list")
            self.advance()
            if self.at("punct", ","):
                self.advance()
            elif not self.at("punct", "]"):
                raise self.unexpected("',' or ']'")
        self.advance()
        return ListLiteral(tuple(items))


def parse(source: str) -> Node:
    """Parse a condition into a syntax tree.

    Raises
    ------
    ExpressionError
        With the column of the problem, for anything outside the grammar (including calls
        other than ``answered``/``dont_know``/``not_applicable``, attribute access and dunder
        names).

    Examples
    --------
    >>> parse("CON.1 == 'yes'")
    Compare(operator='==', left=Name(code='CON.1', position=0), right=Literal(value='yes'))
    >>> parse("__import__('os')")
    Traceback (most recent call last):
    ...
    surveys.frameworks.expressions.ExpressionError: names containing '__' are not allowed: \
'__import__' at column 1
    """
    if not isinstance(source, str):
        raise ExpressionError("a condition must be a string")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"condition longer than {MAX_LENGTH} characters")
    if not source.strip():
        raise ExpressionError("empty condition")
    return _Parser(source).parse()


def references(node: Node) -> set[str]:
    """Question codes read by a condition."""
    match node:
        case Name(code=code):
            return {code}
        case Call(argument=argument):
            return {argument.code}
        case Compare(left=left, right=right):
            return references(left) | references(right)
        case Membership(item=item, container=container):
            return references(item) | references(container)
        case Not(operand=operand):
            return references(operand)
        case And(operands=operands) | Or(operands=operands):
            return set().union(*(references(operand) for operand in operands))
    return set()


def _names(node: Node) -> Iterable[Name]:
    match node:
        case Name():
            yield node
        case Call(argument=argument):
            yield argument
        case Compare(left=left, right=right):
            yield from _names(left)
            yield from _names(right)
        case Membership(item=item, container=container):
            yield from _names(item)
            yield from _names(container)
        case Not(operand=operand):
            yield from _names(operand)
        case And(operands=operands) | Or(operands=operands):
            for operand in operands:
                yield from _names(operand)


def _literal_problem(question: QuestionSpec, literal: Literal) -> str | None:
    """Why ``literal`` can never equal an answer to ``question``, or None."""
    value = literal.value
    is_number = isinstance(value, float) and not isinstance(value, bool)
    if question.type in (QuestionType.MATURITY, QuestionType.NUMBER, QuestionType.PERCENTAGE):
        if not is_number:
            return f"{question.code} is a {question.type} question: compare it with a number"
        if question.type is QuestionType.MATURITY:
            values = [level.value for level in question.levels]
            if values and not min(values) <= value <= max(values):
                return f"{question.code} has levels {min(values)}–{max(values)}, not {value:g}"
        return None
    if question.type.has_choices:
        codes = [choice.code for choice in question.choices]
        if not isinstance(value, str) or value not in codes:
            return f"{question.code} has choices {', '.join(codes)}; {value!r} is not one of them"
        return None
    if not isinstance(value, str):
        return f"{question.code} is a {question.type} question: compare it with a string"
    return None


def _type_problems(node: Node, questions: Mapping[str, QuestionSpec]) -> list[str]:
    problems: list[str] = []
    match node:
        case Compare(operator=operator, left=left, right=right):
            for name, other in ((left, right), (right, left)):
                if isinstance(name, Name) and name.code in questions:
                    question = questions[name.code]
                    if question.type is QuestionType.MULTIPLE_CHOICE:
                        problems.append(
                            f"{name.code} is a multiple-choice question: use "
                            f"'<choice>' in {name.code}"
                        )
                    elif isinstance(other, Literal):
                        problem = _literal_problem(question, other)
                        if problem:
                            problems.append(problem)
                        elif operator not in ("==", "!=") and question.type.has_choices:
                            problems.append(f"{name.code} has no order: use == or != with it")
        case Membership(item=item, container=container):
            if isinstance(container, Name) and container.code in questions:
                question = questions[container.code]
                if question.type is not QuestionType.MULTIPLE_CHOICE:
                    problems.append(
                        f"'in {container.code}' needs a multiple-choice question, "
                        f"{container.code} is {question.type}"
                    )
                elif isinstance(item, Literal) and (problem := _literal_problem(question, item)):
                    problems.append(problem)
            if isinstance(item, Name) and item.code in questions:
                if isinstance(container, ListLiteral):
                    for literal in container.items:
                        if problem := _literal_problem(questions[item.code], literal):
                            problems.append(problem)
        case Not(operand=operand):
            problems += _type_problems(operand, questions)
        case And(operands=operands) | Or(operands=operands):
            for operand in operands:
                problems += _type_problems(operand, questions)
    return problems


def check_condition(
    node: Node, *, question_code: str, order: Sequence[str], questions: Mapping[str, QuestionSpec]
) -> list[str]:
    """Problems with a parsed condition of question ``question_code``; empty when it is valid.

    ``order`` is every question code in questionnaire order. A condition may read only
    questions that come *before* its own question: unknown codes, references to itself and
    forward references are reported, as are comparisons that can never hold (a maturity level
    compared with a string, a choice code that does not exist).
    """
    problems: list[str] = []
    position = {code: index for index, code in enumerate(order)}
    own_position = position.get(question_code, len(order))
    for name in _names(node):
        if name.code not in position:
            problems.append(f"unknown question code {name.code!r}")
        elif name.code == question_code:
            problems.append(f"condition refers to its own question {name.code!r}")
        elif position[name.code] > own_position:
            problems.append(
                f"forward reference to {name.code!r}: a condition may only use questions "
                "that come earlier in the questionnaire"
            )
    if not problems:
        problems += _type_problems(node, questions)
    return list(dict.fromkeys(problems))


def find_cycles(dependencies: Mapping[str, set[str]]) -> list[list[str]]:
    """Cycles in a "question → questions its condition reads" graph, each as a list of codes.

    Examples
    --------
    >>> find_cycles({"A": {"B"}, "B": {"A"}, "C": {"A"}})
    [['A', 'B', 'A']]
    >>> find_cycles({"A": set(), "B": {"A"}})
    []
    """
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []

    def visit(code: str) -> None:
        state[code] = 1
        path.append(code)
        for neighbour in sorted(dependencies.get(code, set())):
            if state.get(neighbour) == 1:
                cycles.append(path[path.index(neighbour) :] + [neighbour])
            elif neighbour not in state and neighbour in dependencies:
                visit(neighbour)
        path.pop()
        state[code] = 2

    for code in dependencies:
        if code not in state:
            visit(code)
    return cycles


_UNKNOWN = None


def _value(node: Node, answers: Mapping[str, object]) -> object:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        value = answers.get(node.code)
        if value is None or isinstance(value, Missing):
            return _UNKNOWN
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return value
    if isinstance(node, ListLiteral):
        return [item.value for item in node.items]
    return evaluate(node, answers)


def _comparable(left: object, right: object) -> bool:
    both_numbers = all(
        isinstance(side, float | int) and not isinstance(side, bool) for side in (left, right)
    )
    return both_numbers or type(left) is type(right)


def _compare(operator: str, left: object, right: object) -> bool | None:
    if left is _UNKNOWN or right is _UNKNOWN or not _comparable(left, right):
        return _UNKNOWN
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    if isinstance(left, list | bool):
        return _UNKNOWN
    try:
        if operator == "<":
            return left < right  # type: ignore[operator]
        if operator == "<=":
            return left <= right  # type: ignore[operator]
        if operator == ">":
            return left > right  # type: ignore[operator]
        return left >= right  # type: ignore[operator]
    except TypeError:
        return _UNKNOWN


def evaluate(node: Node, answers: Mapping[str, object]) -> bool | None:
    """Evaluate a condition; ``None`` means *unknown* (see the module docstring).

    ``answers`` maps question codes to values: a level (int) for maturity, a number, a choice
    code (str) for yes/partial/no and single choice, a list of choice codes for multiple
    choice, a string for text and ISO dates, or a ``Missing`` member. Absent codes and ``None``
    are unanswered.
    """
    match node:
        case Call(function=function, argument=argument):
            value = answers.get(argument.code)
            if function == "answered":
                return value is not None and not isinstance(value, Missing)
            if function == "dont_know":
                return value is Missing.DONT_KNOW
            return value is Missing.NOT_APPLICABLE
        case Compare(operator=operator, left=left, right=right):
            return _compare(operator, _value(left, answers), _value(right, answers))
        case Membership(item=item, container=container, negated=negated):
            element = _value(item, answers)
            collection = _value(container, answers)
            if element is _UNKNOWN or not isinstance(collection, list | tuple):
                return _UNKNOWN
            found = any(_compare("==", element, member) is True for member in collection)
            return found != negated
        case Not(operand=operand):
            result = evaluate(operand, answers)
            return _UNKNOWN if result is _UNKNOWN else not result
        case And(operands=operands):
            results = [evaluate(operand, answers) for operand in operands]
            if any(result is False for result in results):
                return False
            return _UNKNOWN if _UNKNOWN in results else True
        case Or(operands=operands):
            results = [evaluate(operand, answers) for operand in operands]
            if any(result is True for result in results):
                return True
            return _UNKNOWN if _UNKNOWN in results else False
        case Literal(value=value) if isinstance(value, bool):
            return value
        case Name():
            value = _value(node, answers)
            return value if isinstance(value, bool) else _UNKNOWN
    return _UNKNOWN


def is_true(node: Node, answers: Mapping[str, object]) -> bool:
    """Whether the condition holds (unknown counts as not holding)."""
    return evaluate(node, answers) is True


def visible_question_codes(
    questions: Sequence[QuestionSpec], answers: Mapping[str, object]
) -> list[str]:
    """Codes of the questions shown for ``answers``, in questionnaire order.

    Answers to hidden questions are ignored by later conditions, so hiding a question also
    hides what depends on it. Scoring treats a hidden question as not applicable.
    """
    visible: list[str] = []
    effective: dict[str, object] = {}
    for question in questions:
        if question.show_if is None or is_true(_parse_cached(question.show_if), effective):
            visible.append(question.code)
            if question.code in answers:
                effective[question.code] = answers[question.code]
    return visible


@functools.lru_cache(maxsize=4096)
def _parse_cached(source: str) -> Node:
    return parse(source)
