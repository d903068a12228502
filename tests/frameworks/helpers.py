"""Builders of framework data for tests: a valid minimal framework to break one piece at a time."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEFAULT_FRAMEWORK = Path(__file__).resolve().parents[2] / "frameworks" / "dcna-2026.yaml"


def text(en: str, fr: str | None = None) -> dict[str, str]:
    return {"en": en, "fr": fr or f"{en} (fr)"}


def make_question(code: str = "P.1.a", **overrides: Any) -> dict[str, Any]:
    question: dict[str, Any] = {
        "code": code,
        "type": "yes_partial_no",
        "text": text(f"Question {code}?"),
    }
    question.update(overrides)
    return question


def make_maturity_question(code: str = "P.1.m", **overrides: Any) -> dict[str, Any]:
    levels = [{"level": value, "descriptor": text(f"Level {value}.")} for value in range(6)]
    return make_question(code, type="maturity", levels=levels, **overrides)


def make_framework_data(**overrides: Any) -> dict[str, Any]:
    """A valid two-pillar framework as parsed data; ``overrides`` replace top-level keys."""
    data: dict[str, Any] = {
        "code": "sample",
        "version": "1",
        "languages": ["en", "fr"],
        "title": text("Sample"),
        "pillars": [
            {
                "code": "P",
                "title": text("Pillar P"),
                "indicators": [
                    {
                        "code": "P.1",
                        "title": text("Indicator P.1"),
                        "questions": [make_question("P.1.a"), make_maturity_question("P.1.m")],
                    }
                ],
            },
            {
                "code": "Q",
                "title": text("Pillar Q"),
                "indicators": [
                    {
                        "code": "Q.1",
                        "title": text("Indicator Q.1"),
                        "questions": [
                            make_question(
                                "Q.1.a",
                                type="percentage",
                                normalisation={"method": "goalposts", "lower": 0, "upper": 100},
                            )
                        ],
                    }
                ],
            },
        ],
    }
    data.update(overrides)
    return copy.deepcopy(data)


def question_at(data: dict[str, Any], pillar: int, indicator: int, question: int) -> dict[str, Any]:
    return data["pillars"][pillar]["indicators"][indicator]["questions"][question]
