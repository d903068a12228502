"""Benchmark of the focal-point wizard (issue 4, §10): rendering and saving a step.

Uses Django's test client against a temporary test database loaded with the default framework
(frameworks/dcna-2026.yaml). For the first pillar it times: a GET of the step, a "Save draft"
POST that changes every answer of the step (alternating two valid values), and a GET of the
review page (every answer of the framework). Query counts are printed beside the times; they
do not depend on the number of questions (tests/surveys/test_query_counts.py checks that).

Run: ``.venv/bin/python benchmarks/bench_wizard.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

# The test-run environment (throwaway key, local e-mail, no HTTPS redirect).
import needs_assessment.testenv  # noqa: E402, F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")

import django  # noqa: E402

django.setup()

from _timing import time_callable  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402

from surveys.frameworks.loader import load_framework_file  # noqa: E402
from surveys.frameworks.persistence import framework_load  # noqa: E402
from surveys.frameworks.spec import PillarSpec, QuestionType  # noqa: E402
from surveys.models import Assessment, Country, Role, RoleAssignment  # noqa: E402

DEFAULT_FRAMEWORK = ROOT / "frameworks" / "dcna-2026.yaml"


def answers_for(pillar: PillarSpec, flip: bool) -> dict[str, object]:
    """A valid value for every question of ``pillar``; ``flip`` picks the other of two."""
    answers: dict[str, object] = {}
    for question in pillar.questions:
        kind = question.type
        if kind is QuestionType.MATURITY:
            levels = [level.value for level in question.levels]
            answers[question.code] = str(levels[1] if flip else levels[2])
        elif kind.numeric:
            low = question.minimum if question.minimum is not None else 0
            answers[question.code] = str(low + (2 if flip else 3))
        elif kind is QuestionType.MULTIPLE_CHOICE:
            answers[question.code] = [question.choices[1 if flip else 0].code]
        elif kind.has_choices:
            answers[question.code] = question.choices[1 if flip else 0].code
        elif kind is QuestionType.TEXT:
            answers[question.code] = "Second text." if flip else "First text."
        elif kind is QuestionType.DATE:
            answers[question.code] = "2025-01-31" if flip else "2024-12-31"
    return answers


def post_data(assessment: Assessment, step: str, answers: dict[str, object]) -> dict[str, object]:
    data: dict[str, object] = {
        f"assessment_{assessment.pk}-current_step": step,
        "base_revision": assessment.revision,
        "wizard_action": "save",
    }
    for code, value in answers.items():
        data[f"{step}-{code}"] = value
        data[f"{step}-{code}-status"] = "answered"
        data[f"{step}-{code}-justification"] = ""
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        spec = load_framework_file(DEFAULT_FRAMEWORK)
        framework = framework_load(spec, publish=True).framework
        user = django.contrib.auth.get_user_model().objects.create_user("bench")
        country = Country.objects.get(alpha3="SEN")
        RoleAssignment.objects.create(user=user, role=Role.FOCAL_POINT, country=country)
        assessment = Assessment.objects.create(country=country, framework=framework, round=2026)
        client = Client()
        client.force_login(user)
        pillar = spec.pillars[0]
        step_url = reverse("surveys:wizard-step", args=[assessment.pk, pillar.code])
        review_url = reverse("surveys:wizard-step", args=[assessment.pk, "review"])
        flip = [False]

        def render() -> None:
            assert client.get(step_url).status_code == 200

        def save() -> None:
            assessment.refresh_from_db()
            flip[0] = not flip[0]
            data = post_data(assessment, pillar.code, answers_for(pillar, flip[0]))
            response = client.post(step_url, data)
            assert response.status_code == 302, response.status_code

        def review() -> None:
            assert client.get(review_url).status_code == 200

        print(
            f"Framework {spec.code} {spec.version}: {len(spec.pillars)} pillars, "
            f"{len(spec.questions)} questions; step {pillar.code} has "
            f"{len(pillar.questions)} questions. Database: {connection.vendor}."
        )
        for label, function in [
            ("render step", render),
            ("save step (all answers change)", save),
            ("render review page", review),
        ]:
            timing = time_callable(function, repeat=args.repeat, warmup=3)
            with CaptureQueriesContext(connection) as queries:
                function()
            print(f"{timing.describe(label)}, {len(queries.captured_queries)} queries")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
