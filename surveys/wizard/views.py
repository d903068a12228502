"""The focal point's questionnaire: a NamedUrlWizardView with one step per pillar and a review.

Behaviour that differs from plain formtools, and why:

* Storage is ``DatabaseWizardStorage`` keyed by the assessment (``get_prefix`` includes its
  id), so drafts survive logout, session expiry and a change of device.
* Every POST saves first — valid answers to ``Answer`` rows, anything invalid to the draft —
  whatever button was pressed. Only "Next" demands a complete, valid step; "Previous", jumping
  to a step, "Save draft" and "Save and exit" never throw away what was typed.
* Steps are the pillars that have at least one visible question; visibility is computed from
  saved answers, never through ``get_cleaned_data_for_step`` (which can recurse).
* GET never submits: the ``done`` URL only redirects to the review step; submission is a POST
  of the review step, which checks completeness on the saved answers.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.formats import time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlWizardView, StepsHelper

from surveys import permissions
from surveys.frameworks.spec import PillarSpec, translate
from surveys.models import AssessmentState, Evidence
from surveys.services.answers import (
    AssessmentLocked,
    RevisionConflict,
    answer_changes_since,
    answers_for_conditions,
    framework_spec,
)
from surveys.services.review import open_queries_by_question
from surveys.services.workflow import (
    AssessmentIncomplete,
    TransitionError,
    assessment_transition,
)
from surveys.wizard.display import answer_display
from surveys.wizard.forms import ReviewForm, StepForm, initial_for, merged_draft
from surveys.wizard.official import (
    OFFICIAL_ACTION,
    data_using_official_value,
    official_blocks_annotate,
    pillar_official_figures,
)
from surveys.wizard.pending import login_required_keeping_post, pending_post_take
from surveys.wizard.progress import missing_required, pillar_progress, visible_codes
from surveys.wizard.saving import (
    build_step_form,
    load_answers,
    load_evidence_codes,
    pillar_for_step,
    step_save,
)
from surveys.wizard.storage import DatabaseWizardStorage

REVIEW_STEP = "review"
DONE_STEP = "done"


def _saved_message(when: Any) -> str:
    return _("Your answers were saved at %(time)s.") % {
        "time": time_format(timezone.localtime(when), "H:i")
    }


class SurveyWizardView(NamedUrlWizardView):
    """One step per pillar (skipped when all its questions are hidden), then a review step."""

    template_name = "surveys/wizard_step.html"

    def get_prefix(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        return f"assessment_{kwargs['pk']}"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = permissions.get_assessment_for_user(
            request, kwargs["pk"], permissions.Action.CONTRIBUTE
        )
        if not assessment.is_editable:
            messages.warning(
                request,
                _(
                    "This assessment is “%(state)s”: it cannot be changed until it is returned "
                    "for revision. Nothing was saved."
                )
                % {"state": assessment.get_state_display()},
            )
            return redirect("surveys:assessment-detail", pk=assessment.pk)
        self.assessment = assessment
        self.spec = framework_spec(assessment.framework)
        self.answers = load_answers(assessment)
        self.evidence_codes = load_evidence_codes(assessment)
        self._steps: OrderedDict[str, type] | None = None
        self.prefix = self.get_prefix(request, *args, **kwargs)
        self.storage = DatabaseWizardStorage(self.prefix, request, assessment=assessment)
        self.steps = StepsHelper(self)
        # Skip WizardView.dispatch: it would build a storage from ``storage_name``.
        response = TemplateView.dispatch(self, request, *args, **kwargs)
        self.storage.update_response(response)
        return response

    def refresh_answers(self) -> None:
        self.answers = load_answers(self.assessment)
        self._steps = None

    def get_form_list(self) -> OrderedDict[str, type]:
        if self._steps is None:
            shown = visible_codes(self.spec, answers_for_conditions(self.answers.values()))
            self._steps = OrderedDict(
                (pillar.code, StepForm)
                for pillar in self.spec.pillars
                if any(question.code in shown for question in pillar.questions)
            )
            self._steps[REVIEW_STEP] = ReviewForm
        return self._steps.copy()

    def get_step_url(self, step: str) -> str:
        return reverse(self.url_name, kwargs={"pk": self.assessment.pk, "step": step})

    def get_template_names(self) -> list[str]:
        if self.steps.current == REVIEW_STEP:
            return ["surveys/wizard_review.html"]
        return [self.template_name]

    def pillar(self, step: str) -> PillarSpec:
        pillar = pillar_for_step(self.spec, step)
        if pillar is None:
            raise Http404(_("There is no such step in this questionnaire."))
        return pillar

    def get_form(
        self, step: str | None = None, data: Any = None, files: Any = None, strict: bool = False
    ) -> Any:
        step = step or self.steps.current
        if step == REVIEW_STEP:
            return ReviewForm(data=data, prefix=REVIEW_STEP)
        pillar = self.pillar(step)
        initial = None
        if data is None:
            draft = self.storage.get_step_data(step)
            self.from_draft = bool(draft)
            if draft:
                data = MultiValueDict(
                    merged_draft(
                        prefix=step,
                        questions=pillar.questions,
                        draft=dict(draft.lists()),
                        draft_revision=self.storage.step_revision(step) or 0,
                        answers=self.answers,
                    )
                )
            else:
                initial = initial_for(pillar.questions, self.answers)
        return build_step_form(
            spec=self.spec,
            pillar=pillar,
            answers=self.answers,
            evidence_codes=self.evidence_codes,
            data=data,
            initial=initial,
            strict=strict,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        step = kwargs.get("step")
        steps = self.get_form_list()
        if step is None:
            return redirect(self.get_step_url(self.resume_step(steps)))
        if step == DONE_STEP:
            return redirect(self.get_step_url(REVIEW_STEP))
        if step not in steps:
            if pillar_for_step(self.spec, step) is None:
                raise Http404(_("There is no such step in this questionnaire."))
            messages.info(request, _("That part does not apply, given your earlier answers."))
            return redirect(self.get_step_url(self.step_after(step, steps)))
        self.storage.current_step = step
        kept = pending_post_take(request)
        if kept is not None:
            return self.replay_kept_post(step, kept)
        return self.render_step(self.get_form(step))

    def resume_step(self, steps: OrderedDict[str, type]) -> str:
        current = self.storage.current_step
        if current in steps:
            return current
        return next(iter(steps))

    def step_after(self, step: str, steps: OrderedDict[str, type]) -> str:
        order = [pillar.code for pillar in self.spec.pillars]
        later = order[order.index(step) + 1 :]
        return next((code for code in later if code in steps), REVIEW_STEP)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.save_posted(kwargs.get("step"), request.POST)

    def replay_kept_post(self, step: str, data: Any) -> HttpResponse:
        """Save a form posted while signed out (kept by ``login_required_keeping_post``)."""
        if step == REVIEW_STEP:
            # Submitting is a decision to take again, with the answers in front of one.
            messages.info(self.request, _("Your session had ended: please submit again."))
            return self.render_step(self.get_form(step))
        data = data.copy()
        data["wizard_action"] = "save"
        data.pop("wizard_goto_step", None)
        response = self.save_posted(step, data)
        if response.status_code == 302:
            messages.success(
                self.request,
                _(
                    "Your session had ended before your answers were saved: they have been "
                    "saved now."
                ),
            )
        return response

    def save_posted(self, step: str | None, data: Any) -> HttpResponse:
        request = self.request
        if step not in self.get_form_list():
            raise Http404(_("There is no such step in this questionnaire."))
        management = ManagementForm(data, prefix=self.prefix)
        if not management.is_valid() or management.cleaned_data["current_step"] != step:
            return self.bad_request(
                _(
                    "The form was incomplete or had been altered, so nothing was saved. "
                    "Go back to the questionnaire and try again."
                )
            )
        try:
            base_revision = int(data.get("base_revision", ""))
        except ValueError:
            return self.bad_request(
                _("The form did not say which version of the answers it was based on.")
            )
        goto = data.get("wizard_goto_step")
        if goto and goto not in self.get_form_list():
            return self.bad_request(_("There is no such step in this questionnaire."))
        self.storage.remember_step(step)
        if step == REVIEW_STEP:
            return self.post_review(base_revision)
        action = data.get("wizard_action", "")
        if action.startswith(OFFICIAL_ACTION):
            data = data_using_official_value(
                data,
                assessment=self.assessment,
                pillar=self.pillar(step),
                code=action.removeprefix(OFFICIAL_ACTION),
            )
            if data is None:
                return self.bad_request(_("This question has no official value to use."))
        try:
            outcome = step_save(
                assessment=self.assessment,
                spec=self.spec,
                pillar=self.pillar(step),
                data=data,
                actor=request.user,
                base_revision=base_revision,
                storage=self.storage,
                answers=self.answers,
                evidence_codes=self.evidence_codes,
            )
        except AssessmentLocked as locked:
            messages.error(request, str(locked))
            return redirect("surveys:assessment-detail", pk=self.assessment.pk)
        if outcome.conflict is not None:
            return self.render_step(outcome.form, conflict=outcome.conflict, status=409)
        self.refresh_answers()
        return self.navigate(step, outcome, data)

    def navigate(self, step: str, outcome: Any, data: Any) -> HttpResponse:
        request = self.request
        action = data.get("wizard_action", "next")
        goto = data.get("wizard_goto_step")
        saved = _saved_message(outcome.result.saved_at)
        if goto:
            return redirect(self.get_step_url(goto))
        if action == "previous":
            return redirect(self.get_step_url(self.get_prev_step(step) or step))
        if action.startswith("evidence:"):
            code = action.removeprefix("evidence:")
            if code not in {q.code for q in self.pillar(step).questions}:
                return self.bad_request(_("There is no such question on this step."))
            return redirect(
                reverse("surveys:evidence-list", kwargs={"pk": self.assessment.pk, "code": code})
            )
        if action.startswith(OFFICIAL_ACTION):
            if outcome.form.errors:
                return self.render_step(outcome.form, partially_saved=True)
            messages.success(request, saved)
            code = action.removeprefix(OFFICIAL_ACTION)
            return redirect(self.get_step_url(step) + f"#q-{code}")
        if action == "exit":
            messages.success(request, saved)
            return redirect("surveys:assessment-detail", pk=self.assessment.pk)
        if action == "save":
            if outcome.form.errors:
                return self.render_step(outcome.form, partially_saved=True)
            messages.success(request, saved)
            return redirect(self.get_step_url(step))
        strict = self.get_form(step, data=data, strict=True)
        if not strict.is_valid():
            return self.render_step(strict, partially_saved=True)
        return redirect(self.get_step_url(self.get_next_step(step) or REVIEW_STEP))

    def post_review(self, base_revision: int) -> HttpResponse:
        request = self.request
        form = ReviewForm(data=request.POST, prefix=REVIEW_STEP)
        if base_revision != self.assessment.revision:
            conflict = RevisionConflict(
                base_revision=base_revision,
                current_revision=self.assessment.revision,
                changes=answer_changes_since(self.assessment, base_revision),
            )
            return self.render_step(form, conflict=conflict, status=409)
        # Unsaved draft values are the wizard's own state; whether every required answer is
        # given is the workflow service's rule, checked there for every path.
        if not form.is_valid() or self.draft_problems():
            return self.render_step(form, submit_refused=True)
        action = "resubmit" if self.assessment.state == AssessmentState.RETURNED else "submit"
        try:
            assessment_transition(
                assessment=self.assessment,
                action=action,
                actor=request.user,
                message=form.cleaned_data["message"],
            )
        except AssessmentIncomplete:
            return self.render_step(form, submit_refused=True)
        except TransitionError as error:
            messages.error(request, str(error))
            return self.render_step(form)
        self.storage.reset()
        messages.success(request, _("The assessment was submitted for review. Thank you."))
        return redirect("surveys:assessment-detail", pk=self.assessment.pk)

    def review_problems(self) -> list[dict[str, Any]]:
        """Missing required answers and unsaved invalid values, each with a link to fix it."""
        language = get_language() or "en"
        problems = [
            {
                "text": answer_display(question, None, language).question_text,
                "message": _("This question needs an answer."),
                "url": self.get_step_url(self.spec.pillar_of_question[question.code])
                + f"#q-{question.code}",
            }
            for question in missing_required(self.spec, self.answers, self.evidence_codes)
        ]
        return problems + self.draft_problems()

    def draft_problems(self) -> list[dict[str, Any]]:
        """Steps whose draft holds values that could not be saved, each with a link."""
        language = get_language() or "en"
        problems: list[dict[str, Any]] = []
        steps = self.get_form_list()
        for step in self.storage.data[self.storage.step_data_key]:
            if step in steps and step != REVIEW_STEP:
                problems.append(
                    {
                        "text": translate(self.pillar(step).title, language) or step,
                        "message": _(
                            "Some values typed on this step could not be saved: correct or "
                            "clear them."
                        ),
                        "url": self.get_step_url(step),
                    }
                )
        return problems

    def bad_request(self, message: str) -> HttpResponse:
        return render(
            self.request,
            "surveys/wizard_error.html",
            {"assessment": self.assessment, "message": message},
            status=400,
        )

    def render_step(self, form: Any, status: int = 200, **extra: Any) -> HttpResponse:
        context = self.get_context_data(form=form, **extra)
        return self.render_to_response(context, status=status)

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        language = get_language() or "en"
        steps = self.get_form_list()
        progress = pillar_progress(self.spec, self.answers, self.evidence_codes)
        conflict = kwargs.get("conflict")
        queries = open_queries_by_question(self.assessment)
        pillar_of = self.spec.pillar_of_question
        open_by_pillar = Counter(
            pillar_of.get(code) for code, threads in queries.items() for _query in threads
        )
        context.update(
            assessment=self.assessment,
            language=language,
            # Invalid values kept from an earlier session or another device are shown with
            # a notice, never silently.
            kept_draft=getattr(self, "from_draft", False) and bool(form.errors),
            base_revision=conflict.current_revision if conflict else self.assessment.revision,
            navigation=[
                {
                    "code": item.pillar.code,
                    "title": translate(item.pillar.title, language),
                    "progress": item,
                    "url": self.get_step_url(item.pillar.code) if not item.skipped else "",
                    "current": item.pillar.code == self.steps.current,
                    "available": item.pillar.code in steps,
                    "open_queries": open_by_pillar.get(item.pillar.code, 0),
                }
                for item in progress
            ],
            review_url=self.get_step_url(REVIEW_STEP),
            autosave_url=reverse("surveys:autosave", kwargs={"pk": self.assessment.pk}),
        )
        if isinstance(form, StepForm):
            pillar = self.pillar(self.steps.current)
            evidence = self.evidence_for(pillar)
            official = pillar_official_figures(self.assessment, pillar)
            blocks = form.blocks()
            for block in blocks:
                block.evidence = evidence.get(block.code, [])
                block.queries = queries.get(block.code, [])
            official_blocks_annotate(blocks, official, self.answers)
            context.update(
                pillar=pillar,
                pillar_title=translate(pillar.title, language),
                pillar_description=translate(pillar.description, language),
                blocks=blocks,
            )
        else:
            context.update(review=self.review_context(language))
        return context

    def evidence_for(self, pillar: PillarSpec) -> dict[str, list[Evidence]]:
        codes = {question.code for question in pillar.questions} & self.evidence_codes
        grouped: dict[str, list[Evidence]] = {}
        if codes:
            for item in Evidence.objects.filter(
                assessment=self.assessment, question_code__in=codes
            ):
                grouped.setdefault(item.question_code, []).append(item)
        return grouped

    def review_context(self, language: str) -> dict[str, Any]:
        shown = visible_codes(self.spec, answers_for_conditions(self.answers.values()))
        evidence: dict[str, list[Evidence]] = {}
        for item in Evidence.objects.filter(assessment=self.assessment):
            evidence.setdefault(item.question_code, []).append(item)
        pillars = []
        for pillar in self.spec.pillars:
            rows = [
                {
                    "display": answer_display(question, self.answers.get(question.code), language),
                    "evidence": evidence.get(question.code, []),
                    "url": self.get_step_url(pillar.code) + f"#q-{question.code}",
                }
                for question in pillar.questions
                if question.code in shown
            ]
            if rows:
                pillars.append(
                    {
                        "title": translate(pillar.title, language),
                        "url": self.get_step_url(pillar.code),
                        "rows": rows,
                    }
                )
        return {"pillars": pillars, "problems": self.review_problems()}


wizard_view = login_required_keeping_post(
    SurveyWizardView.as_view(
        form_list=[("placeholder", StepForm)],
        url_name="surveys:wizard-step",
        done_step_name=DONE_STEP,
    )
)
