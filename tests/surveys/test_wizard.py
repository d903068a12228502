"""The focal-point wizard: steps, drafts in the database, validation, conflicts, submission."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from surveys.models import (
    Answer,
    AnswerStatus,
    AssessmentState,
    StateTransition,
    WizardDraft,
)
from surveys.services.answers import AnswerInput, answers_save
from tests.factories import make_assessment, make_focal_point, make_reviewer
from tests.surveys.helpers import GOV_COMPLETE, NET_COMPLETE, SKL_COMPLETE, step_post, step_url


class WizardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # alice and bob are focal points of Senegal; carol reviews Senegal; kim is Kenya's.
        cls.alice = make_focal_point("SEN", "alice")
        cls.bob = make_focal_point("SEN", "bob")
        cls.carol = make_reviewer("SEN", "carol")
        cls.kim = make_focal_point("KEN", "kim")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")
        self.client.force_login(self.alice)

    def post(self, step: str, answers: dict, **options):
        self.assessment.refresh_from_db()
        revision = options.pop("revision", None)
        follow = options.pop("follow", False)
        return self.client.post(
            step_url(self.assessment, step),
            step_post(self.assessment, step, answers, revision=revision, **options),
            follow=follow,
        )

    def saved(self) -> dict[str, Answer]:
        return {a.question_code: a for a in Answer.objects.filter(assessment=self.assessment)}


class WizardNavigationTests(WizardTestCase):
    def test_the_wizard_starts_at_the_first_pillar(self) -> None:
        response = self.client.get(reverse("surveys:wizard", args=[self.assessment.pk]))
        self.assertRedirects(response, step_url(self.assessment, "GOV"))

    def test_a_step_shows_questions_help_and_level_descriptors(self) -> None:
        response = self.client.get(step_url(self.assessment, "GOV"))
        self.assertContains(response, "How mature is the national digital strategy?")
        self.assertContains(response, "Look for an adopted strategy document.")
        self.assertContains(response, "Revised with results.")
        self.assertContains(response, "Don&#x27;t know")
        self.assertContains(response, 'name="base_revision" value="0"')
        self.assertContains(response, "0 of 4 required answered")

    def test_a_pillar_whose_questions_are_all_hidden_is_skipped(self) -> None:
        response = self.client.get(step_url(self.assessment, "SKL"))
        self.assertRedirects(response, step_url(self.assessment, "review"))
        self.assertContains(self.client.get(step_url(self.assessment, "GOV")), "does not apply")

    def test_the_skipped_pillar_appears_once_its_condition_holds(self) -> None:
        response = self.post("NET", NET_COMPLETE)
        self.assertRedirects(response, step_url(self.assessment, "review"))
        self.post("GOV", GOV_COMPLETE)
        response = self.post("NET", NET_COMPLETE)
        self.assertRedirects(response, step_url(self.assessment, "SKL"))
        self.assertContains(self.client.get(step_url(self.assessment, "SKL")), "SKL.1.a")

    def test_an_unknown_step_name_is_404(self) -> None:
        assert self.client.get(step_url(self.assessment, "NOPE")).status_code == 404
        assert self.post("NOPE", {}).status_code == 404

    def test_the_done_address_never_submits_on_get(self) -> None:
        response = self.client.get(step_url(self.assessment, "done"))
        self.assertRedirects(response, step_url(self.assessment, "review"))
        self.assessment.refresh_from_db()
        assert self.assessment.state == AssessmentState.DRAFT


class WizardSavingTests(WizardTestCase):
    def test_next_saves_canonical_answers_and_moves_on(self) -> None:
        response = self.post("GOV", GOV_COMPLETE, justifications={"GOV.1.a": "Decree 2023-12"})
        self.assertRedirects(response, step_url(self.assessment, "NET"))
        saved = self.saved()
        assert saved["GOV.1.a"].value == 3
        assert saved["GOV.1.a"].justification == "Decree 2023-12"
        assert saved["GOV.1.a"].updated_by == self.alice
        self.assessment.refresh_from_db()
        assert self.assessment.revision == 1

    def test_next_with_missing_answers_shows_errors_beside_fields_and_a_summary(self) -> None:
        response = self.post("GOV", {"GOV.1.a": "2"}, shown=["GOV.1.a", "GOV.1.b", "GOV.2.c"])
        assert response.status_code == 200
        self.assertContains(response, "error-summary")
        self.assertContains(response, "Answer this question, or choose", count=2)
        self.assertContains(response, 'href="#q-GOV.1.b"')
        self.assertContains(response, "This question needs an answer.")
        assert self.saved()["GOV.1.a"].value == 2

    def test_dont_know_and_not_applicable_count_as_answers_without_a_value(self) -> None:
        answers = {"GOV.1.a": "", "GOV.1.b": "", "GOV.1.c": "", "GOV.2.c": "yes"}
        response = self.post(
            "GOV",
            answers,
            statuses={"GOV.1.a": "dont_know", "GOV.1.b": "not_applicable", "GOV.1.c": "dont_know"},
        )
        self.assertRedirects(response, step_url(self.assessment, "NET"))
        saved = self.saved()
        assert saved["GOV.1.a"].status == AnswerStatus.DONT_KNOW
        assert saved["GOV.1.a"].value is None

    def test_a_status_the_framework_does_not_offer_is_refused(self) -> None:
        response = self.post("GOV", GOV_COMPLETE, statuses={"GOV.2.c": "dont_know"})
        assert response.status_code == 200
        assert "GOV.2.c" not in self.saved()

    def test_previous_keeps_what_was_typed_without_demanding_validity(self) -> None:
        self.post("GOV", GOV_COMPLETE)
        response = self.post("NET", {"NET.1.a": "1,5"}, action="previous")
        self.assertRedirects(response, step_url(self.assessment, "GOV"))
        page = self.client.get(step_url(self.assessment, "NET"))
        self.assertContains(page, 'value="1,5"')
        self.assertContains(page, "Did you mean 1.5?")
        assert "NET.1.a" not in self.saved()

    def test_jumping_to_a_step_saves_the_valid_answers_first(self) -> None:
        data = step_post(self.assessment, "GOV", {"GOV.1.a": "4"}, action="save")
        data["wizard_goto_step"] = "NET"
        response = self.client.post(step_url(self.assessment, "GOV"), data)
        self.assertRedirects(response, step_url(self.assessment, "NET"))
        assert self.saved()["GOV.1.a"].value == 4

    def test_save_draft_stays_on_the_step_and_says_when_it_saved(self) -> None:
        response = self.post("GOV", {"GOV.1.a": "1"}, action="save", follow=True)
        self.assertRedirects(response, step_url(self.assessment, "GOV"))
        self.assertContains(response, "Your answers were saved at")

    def test_save_and_exit_goes_to_the_assessment_page(self) -> None:
        response = self.post("GOV", {"GOV.1.a": "1"}, action="exit")
        self.assertRedirects(
            response, reverse("surveys:assessment-detail", args=[self.assessment.pk])
        )

    def test_drafts_live_in_the_database_and_survive_logging_out(self) -> None:
        self.post("NET", {"NET.1.a": "NaN", "NET.1.b": "1e999"}, action="save")
        assert WizardDraft.objects.filter(assessment=self.assessment).exists()
        self.client.logout()
        self.client.force_login(self.bob)
        page = self.client.get(step_url(self.assessment, "NET"))
        self.assertContains(page, 'value="NaN"')
        self.assertContains(page, 'value="1e999"')
        self.assertContains(page, "Enter a number, for example 1,234.5.")
        # Carried to another session, but never silently.
        self.assertContains(page, "Values typed earlier could not be saved")
        assert self.saved() == {}

    def test_a_valid_save_clears_the_draft_of_that_step(self) -> None:
        self.post("NET", {"NET.1.a": "abc"}, action="save")
        self.post("NET", {"NET.1.a": "12"}, action="save")
        draft = WizardDraft.objects.get(assessment=self.assessment)
        assert "NET" not in draft.data[f"wizard_assessment_{self.assessment.pk}"]["step_data"]

    def test_two_assessments_have_separate_drafts(self) -> None:
        other = make_assessment("SEN", round=2027)
        self.post("NET", {"NET.1.a": "x1"}, action="save")
        page = self.client.get(step_url(other, "NET"))
        self.assertNotContains(page, 'value="x1"')

    def test_html_and_script_in_text_answers_are_stored_as_text_and_escaped(self) -> None:
        script = "<script>alert('owned')</script><b>bold</b>"
        self.post("GOV", {"GOV.2.a": script}, action="save")
        assert self.saved()["GOV.2.a"].value == script
        page = self.client.get(step_url(self.assessment, "GOV"))
        self.assertNotContains(page, "<script>alert")
        self.assertContains(page, "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;")
        review = self.client.get(step_url(self.assessment, "review"))
        self.assertNotContains(review, "<b>bold</b>")

    def test_a_follow_up_question_in_the_same_step_appears_and_is_then_required(self) -> None:
        answers = {"GOV.1.a": "1", "GOV.1.b": "yes", "GOV.2.c": "no"}
        response = self.post("GOV", answers, shown=["GOV.1.a", "GOV.1.b", "GOV.2.c"])
        assert response.status_code == 200
        self.assertContains(response, "This question now applies because of your answers above")
        self.assertContains(response, 'id="q-GOV.1.c"')

    def test_a_hidden_follow_up_question_is_neither_required_nor_saved(self) -> None:
        answers = {"GOV.1.a": "1", "GOV.1.b": "no", "GOV.1.c": "yes", "GOV.2.c": "no"}
        response = self.post("GOV", answers)
        self.assertRedirects(response, step_url(self.assessment, "NET"))
        assert "GOV.1.c" not in self.saved()


class WizardBadInputTests(WizardTestCase):
    def test_a_tampered_management_form_is_refused_and_nothing_is_stored(self) -> None:
        for current_step in ["NET", "", "<script>"]:
            data = step_post(self.assessment, "GOV", GOV_COMPLETE)
            data[f"assessment_{self.assessment.pk}-current_step"] = current_step
            response = self.client.post(step_url(self.assessment, "GOV"), data)
            self.assertContains(response, "nothing was saved", status_code=400)
        data = step_post(self.assessment, "GOV", GOV_COMPLETE)
        del data[f"assessment_{self.assessment.pk}-current_step"]
        assert self.client.post(step_url(self.assessment, "GOV"), data).status_code == 400
        assert self.saved() == {}
        assert not WizardDraft.objects.exists()

    def test_a_missing_or_garbled_revision_is_refused(self) -> None:
        data = step_post(self.assessment, "GOV", GOV_COMPLETE)
        data["base_revision"] = "abc"
        assert self.client.post(step_url(self.assessment, "GOV"), data).status_code == 400
        assert self.saved() == {}

    def test_an_unknown_goto_step_is_refused(self) -> None:
        data = step_post(self.assessment, "GOV", GOV_COMPLETE)
        data["wizard_goto_step"] = "../../admin"
        assert self.client.post(step_url(self.assessment, "GOV"), data).status_code == 400
        assert self.saved() == {}

    def test_values_outside_limits_and_non_numbers_are_not_stored(self) -> None:
        for bad in ["101", "-1", "1,5", "NaN", "1e999", "inf", "0x10"]:
            response = self.post("NET", {"NET.1.a": bad}, action="save")
            assert response.status_code == 200, bad
            self.assertContains(response, "error-summary")
        assert self.saved() == {}

    def test_an_empty_number_is_unanswered_not_zero(self) -> None:
        self.post("NET", {"NET.1.a": ""}, action="save")
        assert self.saved() == {}

    def test_a_choice_that_does_not_exist_is_refused(self) -> None:
        response = self.post("NET", {"NET.2.a": "copper", "NET.2.b": ["fibre", "x"]}, action="save")
        assert response.status_code == 200
        assert self.saved() == {}


class WizardConflictTests(WizardTestCase):
    def test_a_save_based_on_an_outdated_revision_is_refused_showing_who_changed_what(
        self,
    ) -> None:
        self.post("GOV", {"GOV.1.a": "1"}, action="save")
        answers_save(
            assessment=self.assessment,
            actor=self.bob,
            answers=[AnswerInput("GOV.1.a", 5)],
            base_revision=1,
        )
        response = self.post("GOV", {"GOV.1.a": "2"}, action="save", revision=1)
        self.assertContains(response, "Someone else saved", status_code=409)
        self.assertContains(response, "Bob", status_code=409)
        self.assertContains(response, 'name="base_revision" value="2"', status_code=409)
        self.assertContains(response, 'value="2"', status_code=409)
        assert self.saved()["GOV.1.a"].value == 5

    def test_a_co_editor_saving_another_pillar_meanwhile_does_not_block_the_save(self) -> None:
        self.post("GOV", {"GOV.1.a": "1"}, action="save")
        answers_save(
            assessment=self.assessment,
            actor=self.bob,
            answers=[AnswerInput("NET.1.a", 40)],
            base_revision=1,
        )
        response = self.post("GOV", {"GOV.1.a": "2"}, action="save", revision=1)
        assert response.status_code in (200, 302)
        assert self.saved()["GOV.1.a"].value == 2 and self.saved()["NET.1.a"].value == 40

    def test_after_seeing_the_conflict_saving_again_keeps_the_users_answer(self) -> None:
        self.post("GOV", {"GOV.1.a": "1"}, action="save")
        answers_save(
            assessment=self.assessment,
            actor=self.bob,
            answers=[AnswerInput("GOV.1.a", 5)],
            base_revision=1,
        )
        self.post("GOV", {"GOV.1.a": "2"}, action="save", revision=1)
        self.post("GOV", {"GOV.1.a": "2"}, action="save", revision=2)
        assert self.saved()["GOV.1.a"].value == 2

    def test_reopening_a_step_shows_a_co_editors_newer_answer_over_an_old_draft(self) -> None:
        self.post("NET", {"NET.1.a": "bad", "NET.1.b": "3"}, action="save")
        answers_save(
            assessment=self.assessment,
            actor=self.bob,
            answers=[AnswerInput("NET.1.b", 9)],
            base_revision=1,
        )
        page = self.client.get(step_url(self.assessment, "NET"))
        self.assertContains(page, 'value="bad"')
        self.assertContains(page, 'value="9"')


class WizardReviewAndSubmitTests(WizardTestCase):
    def complete(self) -> None:
        self.post("GOV", GOV_COMPLETE)
        self.post("NET", NET_COMPLETE)
        self.post("SKL", SKL_COMPLETE)

    def submit(self, **extra):
        self.assessment.refresh_from_db()
        data = {
            f"assessment_{self.assessment.pk}-current_step": "review",
            "base_revision": self.assessment.revision,
            "review-confirm": "on",
            "review-message": "Ready.",
        } | extra
        return self.client.post(step_url(self.assessment, "review"), data)

    def test_the_review_lists_every_answer_with_a_link_back_to_its_step(self) -> None:
        self.complete()
        page = self.client.get(step_url(self.assessment, "review"))
        self.assertContains(page, "Level 3: Funded.")
        self.assertContains(page, "55.5 %")
        self.assertContains(page, "4 per 100 people")
        self.assertContains(page, f'href="{step_url(self.assessment, "NET")}#q-NET.2.a"')

    def test_submitting_an_incomplete_assessment_is_refused_with_links_to_fix_it(self) -> None:
        self.post("GOV", GOV_COMPLETE)
        response = self.submit()
        self.assertContains(response, "cannot be submitted yet")
        self.assertContains(response, f"{step_url(self.assessment, 'NET')}#q-NET.1.a")
        self.assessment.refresh_from_db()
        assert self.assessment.state == AssessmentState.DRAFT

    def test_unsaved_invalid_values_block_submission(self) -> None:
        self.complete()
        self.post("NET", {"NET.1.b": "lots"}, action="save")
        response = self.submit()
        self.assertContains(response, "could not be saved")
        self.assessment.refresh_from_db()
        assert self.assessment.state == AssessmentState.DRAFT

    def test_a_complete_assessment_is_submitted_through_the_workflow(self) -> None:
        self.complete()
        response = self.submit()
        self.assertRedirects(
            response, reverse("surveys:assessment-detail", args=[self.assessment.pk])
        )
        self.assessment.refresh_from_db()
        assert self.assessment.state == AssessmentState.SUBMITTED
        transition = StateTransition.objects.get(assessment=self.assessment)
        assert (transition.action, transition.actor, transition.message) == (
            "submit",
            self.alice,
            "Ready.",
        )

    def test_submission_without_the_confirmation_is_refused(self) -> None:
        self.complete()
        response = self.submit(**{"review-confirm": ""})
        self.assertContains(response, "This field is required")
        self.assessment.refresh_from_db()
        assert self.assessment.state == AssessmentState.DRAFT

    def test_submission_based_on_an_outdated_revision_is_refused(self) -> None:
        self.complete()
        response = self.submit(base_revision=0)
        assert response.status_code == 409
        self.assessment.refresh_from_db()
        assert self.assessment.state == AssessmentState.DRAFT


class WizardLockingAndPermissionTests(WizardTestCase):
    def test_a_submitted_assessment_cannot_be_changed_through_the_wizard(self) -> None:
        self.assessment.state = AssessmentState.SUBMITTED
        self.assessment.save()
        response = self.client.get(step_url(self.assessment, "GOV"))
        self.assertRedirects(
            response, reverse("surveys:assessment-detail", args=[self.assessment.pk])
        )
        response = self.post("GOV", GOV_COMPLETE, follow=True)
        self.assertContains(response, "cannot be changed until it is returned")
        assert self.saved() == {}
        assert not WizardDraft.objects.exists()

    def test_a_returned_assessment_can_be_edited_and_resubmitted(self) -> None:
        self.assessment.state = AssessmentState.RETURNED
        self.assessment.save()
        response = self.post("GOV", GOV_COMPLETE)
        self.assertRedirects(response, step_url(self.assessment, "NET"))

    def test_a_reviewer_cannot_edit(self) -> None:
        self.client.force_login(self.carol)
        assert self.client.get(step_url(self.assessment, "GOV")).status_code == 403
        assert self.post("GOV", GOV_COMPLETE).status_code == 403
        assert self.saved() == {}

    def test_a_focal_point_of_another_country_gets_404(self) -> None:
        self.client.force_login(self.kim)
        assert self.client.get(step_url(self.assessment, "GOV")).status_code == 404
        assert self.post("GOV", GOV_COMPLETE).status_code == 404

    def test_anonymous_visitors_are_sent_to_log_in(self) -> None:
        self.client.logout()
        response = self.client.get(step_url(self.assessment, "GOV"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
