"""The answers service: value validation and the single write path for official answers."""

from __future__ import annotations

import pytest
from django.test import TestCase
from hypothesis import given
from hypothesis import strategies as st

from surveys.models import Answer, AnswerStatus, AssessmentState, AuditEvent
from surveys.services.answers import (
    AnswerInput,
    AnswerValidationError,
    AnswerValueError,
    AssessmentLocked,
    RevisionConflict,
    answer_value_clean,
    answers_save,
    framework_spec,
)
from tests.factories import make_assessment, make_focal_point
from tests.framework_fixtures import load_test_framework


@pytest.fixture
def spec(db):
    return framework_spec(load_test_framework())


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1,5", "decimal separator"),
        ("NaN", "Enter a number"),
        ("nan", "Enter a number"),
        ("inf", "Enter a number"),
        ("1e999", "too large"),
        ("12abc", "Enter a number"),
        ("1 000", "Enter a number"),
        ("-1", "at least 0"),
        ("100.5", "at most 100"),
        (True, "Enter a number"),
        (float("nan"), "too large"),
    ],
)
def test_bad_numbers_are_refused_with_a_clear_message(spec, raw, message) -> None:
    with pytest.raises(AnswerValueError, match=message):
        answer_value_clean(spec.questions_by_code["NET.1.a"], raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("", None),
        ("  ", None),
        (None, None),
        ("0", 0),
        ("42.5", 42.5),
        (" 7 ", 7),
        ("1e1", 10),
        (55, 55),
    ],
)
def test_good_numbers_are_stored_as_numbers(spec, raw, value) -> None:
    assert answer_value_clean(spec.questions_by_code["NET.1.a"], raw) == value


def test_number_limits_come_from_the_framework(spec) -> None:
    question = spec.questions_by_code["NET.1.b"]
    assert answer_value_clean(question, "200") == 200
    with pytest.raises(AnswerValueError, match="at most 200"):
        answer_value_clean(question, "200.1")


def test_levels_choices_dates_and_texts_are_checked_against_the_spec(spec) -> None:
    by_code = spec.questions_by_code
    assert answer_value_clean(by_code["GOV.1.a"], "3") == 3
    with pytest.raises(AnswerValueError):
        answer_value_clean(by_code["GOV.1.a"], "6")
    assert answer_value_clean(by_code["GOV.1.b"], "partial") == "partial"
    with pytest.raises(AnswerValueError):
        answer_value_clean(by_code["GOV.1.b"], "maybe")
    assert answer_value_clean(by_code["NET.2.b"], ["satellite", "fibre"]) == ["fibre", "satellite"]
    with pytest.raises(AnswerValueError):
        answer_value_clean(by_code["NET.2.b"], ["fibre", "copper"])
    assert answer_value_clean(by_code["GOV.2.b"], "2024-02-29") == "2024-02-29"
    with pytest.raises(AnswerValueError, match="year-month-day"):
        answer_value_clean(by_code["GOV.2.b"], "29/02/2024")
    script = "<script>alert('x')</script>"
    assert answer_value_clean(by_code["GOV.2.a"], script) == script
    with pytest.raises(AnswerValueError):
        answer_value_clean(by_code["GOV.2.a"], "a\x00b")
    with pytest.raises(AnswerValueError, match="evidence"):
        answer_value_clean(by_code["NET.2.c"], "anything")


@given(st.one_of(st.floats(), st.integers(), st.text(max_size=20)))
def test_number_cleaning_is_idempotent_and_always_finite_and_in_range(raw) -> None:
    from surveys.frameworks.spec import QuestionSpec, QuestionType

    question = QuestionSpec("Q", QuestionType.PERCENTAGE, {"en": "?"}, minimum=0, maximum=100)
    try:
        value = answer_value_clean(question, raw)
    except AnswerValueError:
        return
    if value is not None:
        assert 0 <= value <= 100
        assert answer_value_clean(question, value) == value


class AnswersSaveTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal_point = make_focal_point("SEN", "alice")
        cls.other_focal_point = make_focal_point("SEN", "bob")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")

    def save(self, answers, base_revision=None, actor=None):
        return answers_save(
            assessment=self.assessment,
            actor=actor or self.focal_point,
            answers=answers,
            base_revision=self.assessment.revision if base_revision is None else base_revision,
        )

    def test_save_writes_rows_bumps_the_revision_once_and_audits_old_and_new_values(self) -> None:
        result = self.save(
            [
                AnswerInput("GOV.1.a", "3", justification="Adopted in 2023."),
                AnswerInput("NET.1.a", None, AnswerStatus.DONT_KNOW),
            ]
        )
        assert result.revision == 1
        assert result.changed_codes == ("GOV.1.a", "NET.1.a")
        rows = {a.question_code: a for a in Answer.objects.filter(assessment=self.assessment)}
        assert rows["GOV.1.a"].value == 3
        assert rows["GOV.1.a"].updated_by == self.focal_point
        assert rows["NET.1.a"].status == AnswerStatus.DONT_KNOW
        assert rows["NET.1.a"].value is None
        self.assessment.refresh_from_db()
        assert self.assessment.revision == 1
        events = AuditEvent.objects.filter(assessment=self.assessment, object_ref="GOV.1.a")
        assert {(e.field, e.old_value, e.new_value) for e in events} == {
            ("value", None, 3),
            ("status", None, "answered"),
            ("justification", "", "Adopted in 2023."),
        }

        self.save([AnswerInput("GOV.1.a", "4", justification="Adopted in 2023.")])
        change = AuditEvent.objects.get(object_ref="GOV.1.a", field="value", old_value=3)
        assert change.new_value == 4
        assert change.actor == self.focal_point

    def test_unchanged_answers_are_not_written_and_do_not_bump_the_revision(self) -> None:
        self.save([AnswerInput("GOV.1.a", 2)])
        events = AuditEvent.objects.count()
        result = self.save([AnswerInput("GOV.1.a", "2")])
        assert result.changed_codes == ()
        assert result.revision == 1
        assert AuditEvent.objects.count() == events

    def test_a_blank_answer_removes_the_stored_one(self) -> None:
        self.save([AnswerInput("GOV.1.b", "yes")])
        self.save([AnswerInput("GOV.1.b", "")])
        assert not Answer.objects.filter(assessment=self.assessment).exists()
        assert AuditEvent.objects.filter(action="answer_delete", old_value="yes").exists()

    def test_an_outdated_revision_is_refused_listing_who_changed_what(self) -> None:
        self.save([AnswerInput("GOV.1.a", 1)])
        self.save([AnswerInput("GOV.1.a", 4)], actor=self.other_focal_point)
        with pytest.raises(RevisionConflict) as caught:
            self.save([AnswerInput("GOV.1.a", 2)], base_revision=1)
        conflict = caught.value
        assert (conflict.base_revision, conflict.current_revision) == (1, 2)
        assert [(c.question_code, c.value, c.changed_by) for c in conflict.changes] == [
            ("GOV.1.a", 4, "Bob")
        ]
        assert Answer.objects.get(question_code="GOV.1.a").value == 4

    def test_co_editors_saving_different_answers_from_the_same_revision_both_succeed(
        self,
    ) -> None:
        self.save([AnswerInput("GOV.1.a", 1)])
        # Alice and Bob both opened revision 1; Bob saves a connectivity answer first.
        self.save([AnswerInput("NET.1.a", 30)], base_revision=1, actor=self.other_focal_point)
        result = self.save([AnswerInput("GOV.1.a", 2), AnswerInput("GOV.1.b", "yes")], 1)
        assert result.revision == 3
        stored = {a.question_code: a.value for a in Answer.objects.all()}
        assert stored == {"GOV.1.a": 2, "GOV.1.b": "yes", "NET.1.a": 30}

    def test_an_outdated_copy_of_an_answer_sent_unchanged_is_a_conflict(self) -> None:
        # A page sends every answer it shows: Alice's copy of GOV.1.a is outdated, so her
        # save would put back the old value over Bob's.
        self.save([AnswerInput("GOV.1.a", 1)])
        self.save([AnswerInput("GOV.1.a", 4)], base_revision=1, actor=self.other_focal_point)
        with pytest.raises(RevisionConflict):
            self.save([AnswerInput("GOV.1.a", 1), AnswerInput("GOV.1.b", "yes")], 1)
        assert {a.question_code: a.value for a in Answer.objects.all()} == {"GOV.1.a": 4}

    def test_a_removed_answer_since_the_base_revision_is_a_conflict_for_any_save(self) -> None:
        # A removal leaves no row to compare with: any outdated save is refused.
        self.save([AnswerInput("GOV.1.a", 1)])
        self.save([AnswerInput("GOV.1.a", None)], base_revision=1, actor=self.other_focal_point)
        with pytest.raises(RevisionConflict):
            self.save([AnswerInput("NET.1.a", 30)], base_revision=1)
        assert not Answer.objects.exists()
        self.save([AnswerInput("NET.1.a", 30)], base_revision=2)
        assert Answer.objects.get().value == 30

    def test_an_outdated_save_that_changes_nothing_is_accepted(self) -> None:
        self.save([AnswerInput("GOV.1.a", 1)])
        self.save([AnswerInput("NET.1.a", 30)], actor=self.other_focal_point)
        result = self.save([AnswerInput("GOV.1.a", 1)], base_revision=1)
        assert result.revision == 2

    def test_a_submitted_assessment_cannot_be_changed(self) -> None:
        for state in [s for s in AssessmentState if s not in ("draft", "returned")]:
            self.assessment.state = state
            self.assessment.save()
            with self.subTest(state=state), pytest.raises(AssessmentLocked):
                self.save([AnswerInput("GOV.1.a", 1)])
        assert not Answer.objects.exists()

    def test_unknown_codes_and_invalid_values_write_nothing(self) -> None:
        with pytest.raises(AnswerValidationError) as caught:
            self.save(
                [
                    AnswerInput("GOV.1.a", 2),
                    AnswerInput("NOPE.1", 2),
                    AnswerInput("NET.1.a", "1e999"),
                    AnswerInput("GOV.2.c", None, AnswerStatus.DONT_KNOW),
                ]
            )
        assert set(caught.value.errors) == {"NOPE.1", "NET.1.a", "GOV.2.c"}
        assert not Answer.objects.exists()
        assert self.assessment.revision == 0

    def test_saving_many_answers_takes_a_bounded_number_of_queries(self) -> None:
        self.save([AnswerInput("GOV.1.a", 1), AnswerInput("GOV.1.b", "no")])
        answers = [
            AnswerInput("GOV.1.a", 2),
            AnswerInput("GOV.1.b", "yes"),
            AnswerInput("GOV.1.c", "yes"),
            AnswerInput("NET.1.a", 50),
            AnswerInput("NET.1.b", 5),
            AnswerInput("NET.2.a", "fibre"),
            AnswerInput("NET.2.b", ["fibre"]),
        ]
        # savepoint, lock, read, insert, update, assessment, audit (lock the chain's head,
        # insert, move the head), release
        with self.assertNumQueries(10):
            self.save(answers)
