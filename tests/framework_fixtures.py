"""Frameworks for tests, loaded through the same path as real frameworks.

``load_test_framework()`` loads tests/fixtures/small-framework.yaml (every question type, a
condition inside a step and a pillar that is skipped until an earlier answer allows it);
``load_generated_framework()`` builds a large one for query-count tests.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from surveys.frameworks.loader import load_framework_data, load_framework_file
from surveys.frameworks.persistence import framework_load
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Framework, FrameworkStatus

SMALL_FRAMEWORK = Path(__file__).resolve().parent / "fixtures" / "small-framework.yaml"


def _store(spec: FrameworkSpec, status: str) -> Framework:
    existing = Framework.objects.filter(code=spec.code, version=spec.version).first()
    if existing is not None:
        return existing
    framework = framework_load(spec, publish=status == FrameworkStatus.PUBLISHED).framework
    if framework.status != status:
        Framework.objects.filter(pk=framework.pk).update(status=status)
        framework.status = status
    return framework


def load_test_framework(**overrides: Any) -> Framework:
    """The small test framework, stored (once) and published unless ``status`` says otherwise.

    ``code`` and ``version`` overrides give distinct frameworks with the same questions.
    """
    spec = load_framework_file(SMALL_FRAMEWORK)
    status = overrides.pop("status", FrameworkStatus.PUBLISHED)
    renamed = {key: overrides.pop(key) for key in ("code", "version") if key in overrides}
    if renamed:
        spec = dataclasses.replace(spec, **renamed)
    framework = _store(spec, status)
    if overrides:
        Framework.objects.filter(pk=framework.pk).update(**overrides)
        framework.refresh_from_db()
    return framework


def generated_framework_data(pillars: int = 7, questions_per_pillar: int = 40) -> dict[str, Any]:
    """Framework data with many questions of mixed types, for query-count tests."""
    levels = [
        {"level": level, "descriptor": {"en": f"Level {level}.", "fr": f"Niveau {level}."}}
        for level in range(6)
    ]
    pillar_list = []
    for p in range(pillars):
        questions = []
        for q in range(questions_per_pillar):
            code = f"P{p}.I.q{q}"
            text = {"en": f"Question {p}.{q}?", "fr": f"Question {p}.{q} ?"}
            kind = q % 4
            if kind == 0:
                questions.append({"code": code, "type": "maturity", "text": text, "levels": levels})
            elif kind == 1:
                questions.append({"code": code, "type": "yes_partial_no", "text": text})
            elif kind == 2:
                questions.append(
                    {
                        "code": code,
                        "type": "percentage",
                        "text": text,
                        "normalisation": {"method": "goalposts", "lower": 0, "upper": 100},
                    }
                )
            else:
                questions.append(
                    {
                        "code": code,
                        "type": "yes_partial_no",
                        "text": text,
                        "show_if": f"P{p}.I.q{q - 1} > 10",
                    }
                )
        pillar_list.append(
            {
                "code": f"P{p}",
                "title": {"en": f"Pillar {p}", "fr": f"Pilier {p}"},
                "indicators": [
                    {
                        "code": f"P{p}.I",
                        "title": {"en": "Indicator", "fr": "Indicateur"},
                        "questions": questions,
                    }
                ],
            }
        )
    return {
        "code": "generated",
        "version": f"{pillars}x{questions_per_pillar}",
        "languages": ["en", "fr"],
        "title": {"en": "Generated framework", "fr": "Cadre généré"},
        "pillars": pillar_list,
    }


def load_generated_framework(pillars: int = 7, questions_per_pillar: int = 40) -> Framework:
    """A large published framework (``pillars × questions_per_pillar`` questions)."""
    spec = load_framework_data(generated_framework_data(pillars, questions_per_pillar))
    return _store(spec, FrameworkStatus.PUBLISHED)
