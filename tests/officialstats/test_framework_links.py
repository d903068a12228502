"""Questions linked to official indicators: the ``official:`` key, checked at load."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.test import TestCase

from surveys.frameworks.export import export_framework_data
from surveys.frameworks.loader import load_framework_data, load_framework_file
from surveys.frameworks.reading import FrameworkError
from surveys.frameworks.spec import OfficialLinkSpec
from surveys.models import Framework
from tests.frameworks.helpers import DEFAULT_FRAMEWORK, make_framework_data, question_at
from tests.officialstats.helpers import make_source

LINK = {"source": "itu-idi-2024", "indicator": "internet_users_pct", "unit": "percent"}


def with_link(link: Any, pillar: int = 1, question: int = 0) -> dict[str, Any]:
    data = make_framework_data()
    question_at(data, pillar, 0, question)["official"] = link
    return data


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework_data(data)
    return [str(issue) for issue in caught.value.issues]


def test_a_percentage_question_may_name_an_official_indicator_and_a_factor() -> None:
    spec = load_framework_data(with_link(LINK | {"factor": 100}))
    link = spec.questions_by_code["Q.1.a"].official
    assert link == OfficialLinkSpec("itu-idi-2024", "internet_users_pct", "percent", 100.0)
    assert link.answer_value(0.5) == 50.0


def test_the_link_survives_export_and_reload() -> None:
    spec = load_framework_data(with_link(LINK))
    assert load_framework_data(export_framework_data(spec)) == spec
    assert (
        export_framework_data(spec)["pillars"][1]["indicators"][0]["questions"][0]["official"]
        == LINK
    )


def test_every_problem_in_a_link_is_named_with_its_place() -> None:
    found = problems(
        with_link({"source": "ITU IDI", "indicator": "Internet-users", "factor": 0, "year": 1})
    )
    place = "pillars[1].indicators[0].questions[0].official"
    assert found == [
        f"{place}.unit: required",
        f"{place}.year: unknown key; allowed here: factor, indicator, source, unit",
        f"{place}.source: expected a source code: lower-case letters, digits and '-', "
        "got a text 'ITU IDI'",
        f"{place}.indicator: expected an indicator code: lower-case letters, digits, '_', "
        "got a text 'Internet-users'",
        f"{place}.factor: must be above 0, got 0",
    ]


def test_only_number_and_percentage_questions_can_be_linked() -> None:
    found = problems(with_link(LINK, pillar=0, question=0))
    assert found == [
        "pillars[0].indicators[0].questions[0].official: not used by yes_partial_no questions"
    ]


def test_the_default_framework_links_the_questions_the_idi_measures_too() -> None:
    spec = load_framework_file(DEFAULT_FRAMEWORK)
    links = {q.code: (q.official.indicator, q.official.unit) for q in spec.questions if q.official}
    assert links == {
        "CON.1.a": ("internet_users_pct", "percent"),
        "CON.2.a": ("cov_4g_pct", "percent"),
        "CON.5.b": ("fixed_basket_gni_pct", "percent_of_gni_per_capita"),
    }


class StoredStatisticsLinkTests(TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.path = Path(folder.name) / "framework.yaml"

    def load(self, link: dict[str, Any], err: io.StringIO | None = None) -> None:
        self.path.write_text(yaml.safe_dump(with_link(link)), encoding="utf-8")
        call_command("load_framework", str(self.path), stdout=io.StringIO(), stderr=err)

    def test_a_link_to_a_source_not_loaded_yet_is_accepted(self) -> None:
        self.load(LINK)
        assert Framework.objects.filter(code="sample").exists()

    def test_a_link_that_contradicts_a_loaded_source_is_refused(self) -> None:
        make_source()  # demo-stats: internet_use in percent
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, "do not match the statistics loaded"):
            self.load({"source": "demo-stats", "indicator": "internet_use", "unit": "ratio"}, err)
        with self.assertRaisesMessage(CommandError, "do not match the statistics loaded"):
            self.load(
                {"source": "demo-stats", "indicator": "internet_usage", "unit": "percent"}, err
            )
        assert (
            "question Q.1.a of sample 1: indicator 'internet_use' of 'demo-stats' is in "
            "'percent', not 'ratio'" in err.getvalue()
        )
        assert (
            "question Q.1.a of sample 1: source 'demo-stats' has no indicator 'internet_usage'"
            in err.getvalue()
        )
        assert not Framework.objects.exists()
        self.load({"source": "demo-stats", "indicator": "internet_use", "unit": "percent"})
        assert Framework.objects.filter(code="sample").exists()
