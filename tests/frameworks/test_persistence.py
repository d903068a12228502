"""Storing frameworks: one transaction, nothing written on error, published versions immutable."""

from __future__ import annotations

import dataclasses

from django.test import TestCase

from surveys.frameworks.export import export_framework_data
from surveys.frameworks.loader import load_framework_data, load_framework_file
from surveys.frameworks.persistence import (
    FrameworkImmutableError,
    framework_answers_map,
    framework_load,
    framework_publish,
    framework_retire,
    framework_version_chain,
)
from surveys.frameworks.reading import FrameworkError
from surveys.models import Framework, FrameworkStatus
from surveys.models.frameworks import Indicator, Pillar, Question, SubPillar
from tests.frameworks.helpers import DEFAULT_FRAMEWORK, FIXTURES


class FrameworkLoadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.spec = load_framework_file(DEFAULT_FRAMEWORK)

    def test_loading_writes_the_definition_and_one_row_per_element(self) -> None:
        result = framework_load(self.spec, publish=False)
        framework = result.framework
        self.assertTrue(result.created)
        self.assertEqual(framework.status, FrameworkStatus.DRAFT)
        self.assertEqual(Pillar.objects.filter(framework=framework).count(), 7)
        self.assertEqual(SubPillar.objects.filter(framework=framework).count(), 2)
        self.assertEqual(Indicator.objects.filter(framework=framework).count(), 38)
        self.assertEqual(Question.objects.filter(framework=framework).count(), 60)
        codes = list(Question.objects.filter(framework=framework).values_list("code", flat=True))
        self.assertEqual(codes, [q.code for q in self.spec.questions])
        self.assertEqual(len(framework.definition_digest), 64)

    def test_the_spec_comes_back_from_the_database_with_one_query(self) -> None:
        framework_load(self.spec, publish=True)
        with self.assertNumQueries(1):
            framework = Framework.objects.get(code="dcna", version="2026.1")
            spec = framework.spec
        self.assertEqual(spec, self.spec)

    def test_the_stored_definition_is_the_full_export(self) -> None:
        framework = framework_load(self.spec, publish=True).framework
        framework.refresh_from_db()
        self.assertEqual(framework.definition, export_framework_data(self.spec, full=True))
        self.assertEqual(load_framework_data(framework.definition), self.spec)

    def test_loading_the_same_published_version_again_changes_nothing(self) -> None:
        first = framework_load(self.spec, publish=True)
        question_ids = set(Question.objects.values_list("pk", flat=True))
        again = framework_load(self.spec, publish=True)
        self.assertFalse(again.changed)
        self.assertEqual(again.framework.pk, first.framework.pk)
        self.assertIn("nothing changed", again.message)
        self.assertEqual(set(Question.objects.values_list("pk", flat=True)), question_ids)

    def test_a_published_version_cannot_be_changed(self) -> None:
        framework_load(self.spec, publish=True)
        changed = dataclasses.replace(
            self.spec,
            title={"en": "Other", "fr": "Autre"},
            scoring=dataclasses.replace(self.spec.scoring, target=50.0),
        )
        with self.assertRaisesMessage(FrameworkImmutableError, "give the changed framework a new"):
            framework_load(changed, publish=True)
        framework = Framework.objects.get(code="dcna", version="2026.1")
        self.assertEqual(framework.title["en"], "Digital Capacity Needs Assessment")

    def test_a_retired_version_cannot_be_changed_either(self) -> None:
        framework = framework_load(self.spec, publish=True).framework
        framework_retire(framework=framework)
        changed = dataclasses.replace(self.spec, pillars=self.spec.pillars[:-1])
        with self.assertRaises(FrameworkImmutableError):
            framework_load(changed, publish=False)

    def test_a_draft_is_replaced_when_loaded_again(self) -> None:
        framework_load(self.spec, publish=False)
        changed = dataclasses.replace(self.spec, title={"en": "Other", "fr": "Autre"})
        result = framework_load(changed, publish=False)
        self.assertTrue(result.changed)
        self.assertFalse(result.created)
        self.assertEqual(Framework.objects.get().title["en"], "Other")
        self.assertEqual(Question.objects.count(), 60)

    def test_publishing_a_draft_makes_it_immutable(self) -> None:
        framework = framework_load(self.spec, publish=False).framework
        framework_publish(framework=framework)
        framework.refresh_from_db()
        self.assertEqual(framework.status, FrameworkStatus.PUBLISHED)
        self.assertIsNotNone(framework.published_at)
        with self.assertRaises(FrameworkImmutableError):
            framework_publish(framework=framework)


class VersionMappingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.v1 = framework_load(load_framework_file(FIXTURES / "tiny-v1.yaml"), publish=True)
        cls.v2 = framework_load(load_framework_file(FIXTURES / "tiny-v2.yaml"), publish=True)

    def test_answers_are_mapped_forwards_through_the_declared_mapping(self) -> None:
        answers = {"A.1.a": 40, "A.1.b": 5, "B.1.a": "yes", "B.1.b": ["women"]}
        mapped = framework_answers_map(answers, source=self.v1.framework, target=self.v2.framework)
        self.assertEqual(mapped, {"A.1.a": 40, "A.1.c": 5, "B.1.a": "yes"})

    def test_answers_are_mapped_backwards_too(self) -> None:
        mapped = framework_answers_map(
            {"A.1.c": 5, "B.1.c": 30}, source=self.v2.framework, target=self.v1.framework
        )
        self.assertEqual(mapped, {"A.1.b": 5})

    def test_the_chain_lists_both_versions_in_order(self) -> None:
        chain = framework_version_chain(source=self.v1.framework, target=self.v2.framework)
        self.assertEqual([spec.version for spec in chain], ["1", "2"])

    def test_a_mapping_naming_codes_the_earlier_version_lacks_is_refused(self) -> None:
        spec = load_framework_file(FIXTURES / "tiny-v2.yaml")
        assert spec.mapping is not None
        wrong = dataclasses.replace(
            spec,
            version="3",
            mapping=dataclasses.replace(
                spec.mapping, from_version="2", questions={"NOPE.1": "A.1.c"}
            ),
        )
        with self.assertRaises(FrameworkError) as caught:
            framework_load(wrong, publish=True)
        self.assertEqual(
            [str(issue) for issue in caught.exception.issues],
            ["mapping.questions.NOPE.1: 'NOPE.1' is not a question of tiny 2"],
        )
        self.assertFalse(Framework.objects.filter(version="3").exists())
