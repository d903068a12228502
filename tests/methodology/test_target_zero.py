"""A target of 0 is refused when the framework is loaded (issue 17, item 5).

It used to pass the loader and crash scoring with a traceback (the engine needs a target in
(0, 100]: a gap is measured to it and the relative gap divides by it).
"""

from __future__ import annotations

import pytest

from scoring.adapter import framework_layout
from surveys.frameworks.loader import load_framework_data
from surveys.frameworks.reading import FrameworkError
from tests.frameworks.helpers import make_framework_data


def _problems(data: object) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework_data(data)
    return [str(issue) for issue in caught.value.issues]


def test_an_indicator_target_of_zero_is_refused_with_its_place() -> None:
    data = make_framework_data()
    data["pillars"][0]["indicators"][0]["target"] = 0
    assert _problems(data) == [
        "pillars[0].indicators[0].target: must be more than 0 "
        "(a gap is measured to the target, and relative to it)"
    ]


def test_a_default_target_of_zero_is_refused_in_the_scoring_section() -> None:
    data = make_framework_data(scoring={"target": 0})
    problems = _problems(data)
    assert problems == [
        "scoring.target: must be more than 0 (a gap is measured to the target, and relative to it)"
    ]


def test_a_small_positive_target_loads_and_scores() -> None:
    data = make_framework_data()
    data["pillars"][0]["indicators"][0]["target"] = 0.5
    spec = load_framework_data(data)
    assert spec.pillars[0].indicators[0].target == 0.5
    assert framework_layout(spec).config.levels[0].nodes[0].target == 0.5
