"""Shared helpers for the scoring tests: frameworks from YAML text and answer rows."""

from __future__ import annotations

import dataclasses
from typing import Any

from surveys.frameworks.loader import load_framework_file, load_framework_text
from surveys.frameworks.persistence import framework_load
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Answer, Assessment, Framework
from tests.framework_fixtures import SMALL_FRAMEWORK

#: A complete answer set for tests/fixtures/small-framework.yaml, and the scores it gives,
#: computed by hand (every level, choice and goalpost is in the fixture file):
#:   GOV.1 = mean(60 [level 3 of 0..5], 100 [yes], 50 [partial]) = 70; GOV.2 = 0 [no];
#:   GOV = mean(70, 0) = 35;
#:   NET.1.b = 100 · ln(11) / ln(61) = 58.3305...; NET.1 = mean(50, 58.3305) = 54.1653;
#:   NET.2 = mean(50 [mobile], 100 · (2 + 1) / 4 = 75) = 62.5; NET = mean(54.1653, 62.5);
#:   SKL.1.b "don't know" (excluded) → SKL coverage 1/2 < 2/3 → insufficient data;
#:   overall = mean(GOV, NET) with SKL left out = 46.6663.
FULL_ANSWERS: dict[str, Any] = {
    "GOV.1.a": 3,
    "GOV.1.b": "yes",
    "GOV.1.c": "partial",
    "GOV.2.c": "no",
    "NET.1.a": 50,
    "NET.1.b": 10,
    "NET.2.a": "mobile",
    "NET.2.b": ["fibre", "satellite"],
    "SKL.1.a": "yes",
    "SKL.1.b": "dont_know",
}
NET_1_B = 100 * 2.3978952727983707 / 4.110873864173311
NET = ((50 + NET_1_B) / 2 + 62.5) / 2
OVERALL = (35 + NET) / 2


def add_answers(assessment: Assessment, answers: dict[str, Any]) -> None:
    rows = []
    for code, value in answers.items():
        if value in ("dont_know", "not_applicable"):
            rows.append(Answer(assessment=assessment, question_code=code, status=value))
        else:
            rows.append(Answer(assessment=assessment, question_code=code, value=value))
    Answer.objects.bulk_create(rows)


def small_spec(**scoring_changes: Any) -> FrameworkSpec:
    spec = load_framework_file(SMALL_FRAMEWORK)
    if scoring_changes:
        spec = dataclasses.replace(
            spec, scoring=dataclasses.replace(spec.scoring, **scoring_changes)
        )
    return spec


def store_spec(spec: FrameworkSpec) -> Framework:
    return framework_load(spec, publish=True).framework


def store_text(text: str) -> Framework:
    return store_spec(load_framework_text(text))


def large_framework(pillars: int = 7, questions_per_pillar: int = 40) -> Framework:
    """A published framework of ``pillars × questions_per_pillar`` mixed questions."""
    from surveys.frameworks.loader import load_framework_data
    from tests.framework_fixtures import generated_framework_data

    data = generated_framework_data(pillars, questions_per_pillar)
    for pillar in data["pillars"]:
        for indicator in pillar["indicators"]:
            for question in indicator["questions"]:
                question.pop("show_if", None)
    return store_spec(load_framework_data(data))
