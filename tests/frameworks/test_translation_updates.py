"""A published framework accepts translation-only changes (issue 21): a language added or a text
corrected is stored in place, with an audit event, on a database whose assessments already have
answers; any structural change (code, weight, target, option, scoring) is still refused and
nothing is written."""

from __future__ import annotations

from typing import Any

import yaml
from django.test import TestCase

from surveys.frameworks.loader import load_framework_data
from surveys.frameworks.persistence import FrameworkImmutableError, framework_load
from surveys.models import Answer, AuditEvent, Framework
from surveys.models.frameworks import Question
from tests.factories import complete_answers, make_assessment, make_focal_point
from tests.framework_fixtures import SMALL_FRAMEWORK
from tests.surveys.helpers import step_url


def _add_spanish(node: Any) -> Any:
    """Every text of a framework file given a Spanish version: "ES " + the English one."""
    if isinstance(node, dict):
        if "en" in node and "fr" in node and all(isinstance(v, str) for v in node.values()):
            return node | {"es": f"ES {node['en']}"}
        return {key: _add_spanish(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_add_spanish(item) for item in node]
    return node


def spanish_data() -> dict[str, Any]:
    data = yaml.safe_load(SMALL_FRAMEWORK.read_text(encoding="utf-8"))
    data = _add_spanish(data)
    data["languages"] = ["en", "fr", "es"]
    return data


def first_question(data: dict[str, Any]) -> dict[str, Any]:
    pillar = data["pillars"][0]
    indicators = pillar.get("indicators") or pillar["sub_pillars"][0]["indicators"]
    return indicators[0]["questions"][0]


class TranslationOnlyChangeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")
        cls.assessment = make_assessment("SEN")
        complete_answers(cls.assessment)
        cls.framework = cls.assessment.framework
        cls.answers = sorted(
            Answer.objects.filter(assessment=cls.assessment).values_list(
                "question_code", "value", "status"
            )
        )

    def stored(self) -> Framework:
        return Framework.objects.get(pk=self.framework.pk)

    def test_a_new_language_is_accepted_and_shown_in_the_wizard(self) -> None:
        question_ids = set(Question.objects.filter(framework=self.framework).values_list("pk"))
        result = framework_load(load_framework_data(spanish_data()), publish=True)

        self.assertTrue(result.changed)
        self.assertIn("language(s) added: es", result.message)
        framework = self.stored()
        self.assertEqual(framework.status, "published")
        self.assertEqual(framework.languages, ["en", "fr", "es"])
        self.assertEqual(framework.spec.languages, ("en", "fr", "es"))
        # The rows the answers hang on are kept (updated, not recreated), and so are the answers.
        self.assertEqual(
            set(Question.objects.filter(framework=framework).values_list("pk")), question_ids
        )
        question = Question.objects.get(framework=framework, code=self.first_code())
        self.assertTrue(question.text["es"].startswith("ES "))
        self.assertEqual(
            sorted(
                Answer.objects.filter(assessment=self.assessment).values_list(
                    "question_code", "value", "status"
                )
            ),
            self.answers,
        )
        event = AuditEvent.objects.get(object_type="framework")
        self.assertEqual(event.action, "translate")
        self.assertEqual(event.object_ref, f"{framework.code} {framework.version}")
        self.assertEqual(event.old_value["languages"], ["en", "fr"])
        self.assertEqual(event.new_value["languages"], ["en", "fr", "es"])
        self.assertIn(f"pillars[{framework.spec.pillars[0].code}].title", event.new_value["texts"])

        self.client.force_login(self.alice)
        first_step = framework.spec.pillars[0].code
        page = self.client.get(step_url(self.assessment, first_step), HTTP_ACCEPT_LANGUAGE="es")
        english = framework.spec.questions_by_code[self.first_code()].text["en"]
        self.assertContains(page, f"ES {english}")

    def test_loading_the_translated_file_twice_changes_nothing_the_second_time(self) -> None:
        spec = load_framework_data(spanish_data())
        framework_load(spec, publish=True)
        again = framework_load(spec, publish=True)
        self.assertFalse(again.changed)
        self.assertEqual(AuditEvent.objects.filter(object_type="framework").count(), 1)

    def test_a_changed_weight_is_refused_and_nothing_is_written(self) -> None:
        before = self.stored()
        data = spanish_data()
        first_question(data)["weight"] = 7
        with self.assertRaisesMessage(FrameworkImmutableError, "give the changed framework a new"):
            framework_load(load_framework_data(data), publish=True)
        after = self.stored()
        self.assertEqual(after.definition_digest, before.definition_digest)
        self.assertEqual(after.languages, ["en", "fr"])
        question = Question.objects.get(framework=after, code=self.first_code())
        self.assertNotIn("es", question.text)
        self.assertFalse(AuditEvent.objects.filter(object_type="framework").exists())

    def test_a_changed_target_requirement_or_scoring_rule_is_refused(self) -> None:
        def target(data: dict[str, Any]) -> None:
            pillar = data["pillars"][0]
            (pillar.get("indicators") or pillar["sub_pillars"][0]["indicators"])[0]["target"] = 55

        def requirement(data: dict[str, Any]) -> None:
            question = first_question(data)
            question["required"] = not question.get("required", True)

        def scoring(data: dict[str, Any]) -> None:
            data.setdefault("scoring", {})["dont_know"] = "lowest"

        for change in (target, requirement, scoring):
            data = spanish_data()
            change(data)
            with self.subTest(change.__name__), self.assertRaises(FrameworkImmutableError):
                framework_load(load_framework_data(data), publish=True)
        self.assertEqual(self.stored().languages, ["en", "fr"])

    def test_dropping_a_language_is_refused(self) -> None:
        framework_load(load_framework_data(spanish_data()), publish=True)
        with self.assertRaisesMessage(FrameworkImmutableError, "cannot drop its language(s) es"):
            framework_load(
                load_framework_data(yaml.safe_load(SMALL_FRAMEWORK.read_text())), publish=True
            )
        self.assertEqual(self.stored().languages, ["en", "fr", "es"])

    def first_code(self) -> str:
        return first_question(yaml.safe_load(SMALL_FRAMEWORK.read_text(encoding="utf-8")))["code"]
