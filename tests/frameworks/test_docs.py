"""The complete example in docs/framework-format.md is a valid framework."""

from __future__ import annotations

import re
from pathlib import Path

from surveys.frameworks.export import export_framework_yaml
from surveys.frameworks.loader import load_framework_text
from surveys.frameworks.spec import QuestionType

DOC = Path(__file__).resolve().parents[2] / "docs" / "framework-format.md"


def documented_example() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    return max(blocks, key=len)


def test_the_documented_example_loads_and_uses_every_question_type() -> None:
    spec = load_framework_text(documented_example())
    assert {question.type for question in spec.questions} == set(QuestionType)
    assert spec.mapping is not None
    assert spec.mapping.questions == {"CON.1.x": "CON.1.a", "POL.9.a": None}
    assert spec.questions_by_code["POL.1.a"].levels[4].score == 85
    assert spec.questions_by_code["POL.2.c"].max_points == 2
    assert spec.pillars[0].min_coverage == 0.75
    assert spec.pillars[1].min_coverage == 2 / 3


def test_the_documented_example_round_trips() -> None:
    spec = load_framework_text(documented_example())
    assert load_framework_text(export_framework_yaml(spec)) == spec
