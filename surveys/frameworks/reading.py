"""Low-level reading of framework data: strict YAML, and a reader that collects every issue.

The loader (loader.py) builds the spec element by element with a ``Reader``; each check adds a
``FrameworkIssue`` naming its place instead of stopping at the first problem.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

import yaml

from surveys.frameworks import expressions

__all__ = [
    "FrameworkError",
    "FrameworkIssue",
    "Reader",
    "as_text",
    "describe",
    "join_path",
    "parse_yaml",
]

MAX_TEXT_BYTES = 5_000_000
CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$")
CHOICE_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
RESERVED_CODES = expressions.KEYWORDS | set(expressions.FUNCTIONS)
MAX_CODE_LENGTH = 40


@dataclass(frozen=True)
class FrameworkIssue:
    """One problem, at ``path`` (e.g. ``pillars[0].indicators[2].weight``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FrameworkError(ValueError):
    """A framework that cannot be loaded; ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[FrameworkIssue]) -> None:
        self.issues = list(issues)
        count = len(self.issues)
        heading = f"{count} problem{'s' if count != 1 else ''} in the framework:"
        super().__init__("\n".join([heading, *(str(issue) for issue in self.issues)]))


# YAML: safe loading, duplicate keys refused, no aliases, only true/false are booleans


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not supported", problem_mark=event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):
                raise yaml.MarkedYAMLError(
                    problem="a mapping key must be a plain value", problem_mark=key_node.start_mark
                )
            if key in seen:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 reads yes/no/on/off as booleans (the "Norway problem"): here they stay strings.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml(text: str) -> Any:
    if len(text.encode("utf-8", errors="replace")) > MAX_TEXT_BYTES:
        raise FrameworkError([FrameworkIssue("", f"file larger than {MAX_TEXT_BYTES} bytes")])
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader  # nosec B506
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = " ".join(part for part in (error.context, error.problem) if part)
        raise FrameworkError([FrameworkIssue(where, f"malformed YAML: {problem}")]) from error
    except yaml.YAMLError as error:
        raise FrameworkError([FrameworkIssue("", f"malformed YAML: {error}")]) from error


T = TypeVar("T")
_MISSING: Any = object()


class Reader:
    def __init__(self) -> None:
        self.issues: list[FrameworkIssue] = []
        self.languages: tuple[str, ...] = ("en",)
        self.code_places: dict[str, str] = {}

    def error(self, path: str, message: str) -> None:
        self.issues.append(FrameworkIssue(path, message))

    def mapping(self, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {describe(value)}")
            return None
        return value

    def keys(
        self, data: dict[str, Any], path: str, *, required: Sequence[str], optional: Sequence[str]
    ) -> None:
        for key in required:
            if key not in data or data[key] is None:
                self.error(join_path(path, key), "required")
        allowed = set(required) | set(optional)
        for key in data:
            if key not in allowed:
                self.error(
                    join_path(path, str(key)),
                    f"unknown key; allowed here: {', '.join(sorted(allowed))}",
                )

    def text(
        self, data: dict[str, Any], key: str, path: str, *, required: bool = False
    ) -> dict[str, str]:
        """A translated text: a mapping with a non-empty string for every framework language."""
        here = join_path(path, key)
        value = data.get(key)
        if value is None:
            return {}  # absence of a required text is reported by keys()
        if isinstance(value, str):
            self.error(
                here,
                "expected a translation per language, e.g. "
                + "{"
                + ", ".join(f"{language}: ..." for language in self.languages)
                + "}",
            )
            return {}
        mapping = self.mapping(value, here)
        if mapping is None or (not mapping and not required):
            return {}
        result: dict[str, str] = {}
        for language, text in mapping.items():
            if language not in self.languages:
                self.error(
                    join_path(here, str(language)),
                    f"language not declared in 'languages' ({', '.join(self.languages)})",
                )
            elif not isinstance(text, str) or not text.strip():
                self.error(join_path(here, language), "expected a non-empty text")
            else:
                result[language] = text.strip()
        for language in self.languages:
            if language not in mapping:
                self.error(here, f"missing translation '{language}'")
        return result

    def number(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        default: float | None = None,
        minimum: float | None = None,
        maximum: float | None = None,
        allow_fraction: bool = False,
    ) -> float | None:
        here = join_path(path, key)
        value = data.get(key)
        if value is None:
            return default
        if (
            allow_fraction
            and isinstance(value, str)
            and re.fullmatch(r"\s*\d+\s*/\s*\d+\s*", value)
        ):
            numerator, denominator = (int(part) for part in value.split("/"))
            if denominator == 0:
                self.error(here, "division by zero")
                return default
            value = float(Fraction(numerator, denominator))
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(here, f"expected a number, got {describe(value)}")
            return default
        value = float(value)
        if not math.isfinite(value):
            self.error(here, "expected a finite number")
            return default
        if minimum is not None and value < minimum:
            self.error(here, f"must be {as_text(minimum)} or more, got {as_text(value)}")
        if maximum is not None and value > maximum:
            self.error(here, f"must be {as_text(maximum)} or less, got {as_text(value)}")
        return value

    def boolean(self, data: dict[str, Any], key: str, path: str, *, default: bool) -> bool:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(join_path(path, key), f"expected true or false, got {describe(value)}")
            return default
        return value

    def choice(
        self, data: dict[str, Any], key: str, path: str, enum: Callable[[str], T], default: T
    ) -> T:
        value = data.get(key)
        if value is None:
            return default
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)  # type: ignore[attr-defined]
            self.error(join_path(path, key), f"unknown value {value!r}; expected one of: {allowed}")
            return default

    def string(self, data: dict[str, Any], key: str, path: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.error(join_path(path, key), f"expected a string, got {describe(value)}")
            return None
        return str(value)

    def code(self, data: dict[str, Any], path: str) -> str:
        """Read and register an element code, which must be unique in the whole framework."""
        value = data.get("code")
        if value is None:
            return ""
        here = join_path(path, "code")
        if not isinstance(value, str):
            self.error(here, f"expected a code (letters, digits, '_' and '.'), got {value!r}")
            return str(value)
        if (
            not CODE_PATTERN.match(value)
            or "__" in value
            or len(value) > MAX_CODE_LENGTH
            or value in RESERVED_CODES
        ):
            self.error(
                here,
                f"invalid code {value!r}: start with a letter; then letters, digits, '_' and "
                f"inner '.'; at most {MAX_CODE_LENGTH} characters; no '__'; not one of "
                f"{', '.join(sorted(RESERVED_CODES))}",
            )
        elif value in self.code_places:
            self.error(here, f"duplicate code {value!r}, already used at {self.code_places[value]}")
        else:
            self.code_places[value] = path
        return value

    def items(self, data: dict[str, Any], key: str, path: str) -> list[tuple[str, Any]]:
        """``(path, item)`` for each element of a list (an error when it is not a list)."""
        value = data.get(key)
        if value is None:
            return []
        here = join_path(path, key)
        if not isinstance(value, list):
            self.error(here, f"expected a list, got {describe(value)}")
            return []
        return [(f"{here}[{index}]", item) for index, item in enumerate(value)]

    def weights(self, weighted: Sequence[tuple[str, float]], path: str, what: str) -> None:
        """Sibling weights must not all be zero (negative weights are refused one by one)."""
        if weighted and all(weight == 0 for _, weight in weighted):
            self.error(path, f"all {what} weights are zero; at least one must be positive")


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    names = {dict: "a mapping", list: "a list", str: "a text", bool: "true/false"}
    described = names.get(type(value), type(value).__name__)
    return f"{described} {value!r}" if isinstance(value, str | int | float) else described


def as_text(value: float) -> str:
    return f"{value:g}"
