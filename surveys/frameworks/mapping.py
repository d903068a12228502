"""Carry answers and indicator codes from one framework version to another.

A version may declare a ``mapping`` from the version before it (see docs/framework-format.md):
old question code → new code, or → null when the question was dropped. Codes not listed map
to themselves when they exist in both versions. Mappings are followed in either direction and
through intermediate versions, so scores of round 2025 can be compared with round 2027.

Examples
--------
>>> from surveys.frameworks.loader import EXAMPLE, load_framework_text
>>> old = load_framework_text(EXAMPLE)
>>> new_text = EXAMPLE.replace('version: "1"', 'version: "2"').replace("T.2", "T.3")
>>> new = load_framework_text(new_text + 'mapping: {from_version: "1", questions: {T.2: T.3}}')
>>> map_answers_between_versions({"T.1": "yes", "T.2": 40}, source=old, target=new)
{'T.1': 'yes', 'T.3': 40}
>>> map_answers_between_versions({"T.1": "yes", "T.3": 40}, source=new, target=old)
{'T.1': 'yes', 'T.2': 40}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from surveys.frameworks.spec import FrameworkSpec, Missing, QuestionSpec, QuestionType

__all__ = ["indicator_code_map", "map_answers_between_versions", "question_code_map"]

Value = TypeVar("Value")


def _declared_table(
    source: FrameworkSpec, target: FrameworkSpec, kind: str
) -> dict[str, str | None]:
    """The declared old → new table between two adjacent versions, in the needed direction."""
    if source.code == target.code and source.version == target.version:
        return {}
    forward = target.mapping
    if forward and (forward.from_code, forward.from_version) == (source.code, source.version):
        return dict(getattr(forward, kind))
    backward = source.mapping
    if backward and (backward.from_code, backward.from_version) == (target.code, target.version):
        inverted: dict[str, str | None] = {
            new: old for old, new in getattr(backward, kind).items() if new
        }
        # Codes that were dropped going forward have no counterpart going back either: a
        # new code equal to a dropped old one is a different question.
        for old, new in getattr(backward, kind).items():
            if new is None and old not in inverted.values():
                inverted.setdefault(old, None)
        return inverted
    raise ValueError(
        f"no mapping is declared between {source.code} {source.version} and "
        f"{target.code} {target.version}; pass the versions in between as intermediates"
    )


def _code_map(
    source: FrameworkSpec,
    target: FrameworkSpec,
    kind: str,
    source_codes: Sequence[str],
    target_codes: set[str],
) -> dict[str, str | None]:
    table = _declared_table(source, target, kind)
    result: dict[str, str | None] = {}
    for code in source_codes:
        if code in table:
            mapped = table[code]
            result[code] = mapped if mapped in target_codes else None
        else:
            result[code] = code if code in target_codes else None
    return result


def question_code_map(source: FrameworkSpec, target: FrameworkSpec) -> dict[str, str | None]:
    """Every question code of ``source`` → its code in ``target``, or None when it has none."""
    return _code_map(
        source,
        target,
        "questions",
        [q.code for q in source.questions],
        set(target.questions_by_code),
    )


def indicator_code_map(source: FrameworkSpec, target: FrameworkSpec) -> dict[str, str | None]:
    """Every indicator code of ``source`` → its code in ``target``, or None when it has none."""
    return _code_map(
        source,
        target,
        "indicators",
        [indicator.code for indicator in source.indicators],
        set(target.indicators_by_code),
    )


def _fits(value: object, old: QuestionSpec, new: QuestionSpec) -> bool:
    """Whether an answer to ``old`` means the same thing as an answer to ``new``."""
    if isinstance(value, Missing) or value is None:
        return True
    if old.type is not new.type:
        return False
    if new.type is QuestionType.MATURITY:
        return [level.value for level in old.levels] == [level.value for level in new.levels]
    if new.type.has_choices:
        codes = {choice.code for choice in new.choices}
        chosen = value if isinstance(value, list | tuple) else [value]
        return all(choice in codes for choice in chosen)
    return True


def map_answers_between_versions(
    answers: Mapping[str, Value],
    *,
    source: FrameworkSpec,
    target: FrameworkSpec,
    intermediates: Sequence[FrameworkSpec] = (),
) -> dict[str, Value]:
    """Re-key answers given to ``source`` as answers to ``target``.

    Answers are mapped one version step at a time (``source`` → each intermediate → ``target``).
    An answer is dropped when its question has no counterpart, when the question type changed,
    when a maturity scale changed, or when a chosen option no longer exists: a value is carried
    over only when it means the same thing in the new version. "Don't know" and "not
    applicable" markers are carried over as they are.

    Raises
    ------
    ValueError
        When two consecutive versions declare no mapping between them.
    """
    current: dict[str, Value] = dict(answers)
    chain = [source, *intermediates, target]
    for old, new in zip(chain, chain[1:], strict=False):
        codes = question_code_map(old, new)
        mapped: dict[str, Value] = {}
        for code, value in current.items():
            new_code = codes.get(code)
            if new_code is None:
                continue
            if _fits(value, old.questions_by_code[code], new.questions_by_code[new_code]):
                mapped[new_code] = value
        current = mapped
    return current
