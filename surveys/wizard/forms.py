"""Wizard forms generated from the framework: one form per pillar step, no hand-written fields.

Each question gets three fields: its value (widget chosen by question type), a status
(answer / don't know / not applicable, where the framework allows them) and an optional
justification. Values are checked by ``answer_value_clean`` — the same function the API and
imports use. Forms validate and clean only; saving is ``answers_save``'s job.

A form built with ``strict=False`` (drafts, "Previous", "Save draft", autosave) checks only
what was typed; ``strict=True`` (moving forward, submitting) also demands an answer to every
visible required question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from surveys.frameworks import expressions
from surveys.frameworks.spec import Missing, QuestionSpec, QuestionType, translate
from surveys.models import AnswerStatus
from surveys.numbers import NumberParseError, number_example, number_format, number_parse
from surveys.services.answers import (
    MAX_JUSTIFICATION_LENGTH,
    AnswerInput,
    AnswerValueError,
    allowed_statuses,
    answer_value_clean,
)

STATUS_SUFFIX = "-status"
JUSTIFICATION_SUFFIX = "-justification"

STATUS_LABELS = {
    AnswerStatus.ANSWERED: gettext_lazy("Answer"),
    AnswerStatus.DONT_KNOW: gettext_lazy("Don't know"),
    AnswerStatus.NOT_APPLICABLE: gettext_lazy("Not applicable"),
}


class AnswerValueField(forms.Field):
    """A question's value, cleaned by the shared ``answer_value_clean``."""

    def __init__(self, *, question: QuestionSpec, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.question = question

    def clean(self, value: Any) -> Any:
        if self.question.type.numeric and isinstance(value, str) and value.strip():
            # People type numbers as their language writes them ("1 234,5" in French).
            language = get_language() or "en"
            try:
                value = format(number_parse(value, language), "f")
            except NumberParseError as error:
                message = _("Enter a number, for example %(example)s.") % {
                    "example": number_example(language)
                }
                if error.suggestion:
                    message += " " + _("Did you mean %(number)s?") % {"number": error.suggestion}
                raise ValidationError(message, code="invalid") from None
        try:
            return answer_value_clean(self.question, value)
        except AnswerValueError as error:
            raise ValidationError(str(error), code="invalid") from None


class LocalisedNumberInput(forms.TextInput):
    """A text box showing a stored number as the user's language writes it.

    Not ``type=number``: browsers would silently drop "1,5" instead of letting the server
    read it in the user's language or explain what is wrong with it.
    """

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return number_format(value, get_language() or "en")
        return super().format_value(value)


def _value_widget(question: QuestionSpec, language: str) -> forms.Widget:
    kind = question.type
    if kind is QuestionType.MATURITY:
        return forms.RadioSelect(
            choices=[
                (level.value, translate(level.label, language) or str(level.value))
                for level in question.levels
            ]
        )
    if kind is QuestionType.MULTIPLE_CHOICE:
        return forms.CheckboxSelectMultiple(
            choices=[(c.code, translate(c.label, language)) for c in question.choices]
        )
    if kind.has_choices:
        return forms.RadioSelect(
            choices=[(c.code, translate(c.label, language)) for c in question.choices]
        )
    if kind.numeric:
        return LocalisedNumberInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    if kind is QuestionType.DATE:
        return forms.DateInput(attrs={"type": "date"})
    return forms.Textarea(attrs={"rows": 4})


@dataclass
class QuestionBlock:
    """Everything the template shows for one question."""

    question: QuestionSpec
    text: str
    help: str
    unit: str
    value: BoundField | None
    status: BoundField
    justification: BoundField
    status_choices: bool
    #: For maturity questions: (radio, level descriptor) pairs, descriptors shown beside.
    levels: list[tuple[Any, str]] = field(default_factory=list)
    visible: bool = True
    evidence: list[Any] = field(default_factory=list)
    queries: list[Any] = field(default_factory=list)
    #: The official value of a linked question (officialstats.figures.OfficialFigure), if any.
    official: Any = None
    #: The saved answer is far from the official value and has no justification.
    official_unexplained: bool = False
    #: For numeric questions: a number as the user's language writes it, for the help text.
    number_example: str = ""

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def errors(self) -> list[str]:
        found: list[str] = []
        for bound in (self.value, self.status, self.justification):
            if bound is not None:
                found.extend(bound.errors)
        return found


def value_to_raw(question: QuestionSpec, value: Any) -> list[str]:
    """A stored value as the form would post it."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    if question.type.numeric and isinstance(value, int | float) and not isinstance(value, bool):
        return [number_format(value, get_language() or "en")]
    return [str(value)]


class StepForm(forms.Form):
    """The questions of one pillar.

    Parameters
    ----------
    questions
        The step's questions, in order.
    all_questions
        Every question of the framework, in order (conditions may read earlier pillars).
    known_answers
        Saved answers as the show_if language reads them (code → value or ``Missing``).
    evidence_codes
        Questions that have evidence attached (an evidence question is answered by it).
    strict
        Demand an answer to every visible required question.
    """

    def __init__(
        self,
        *args: Any,
        questions: Sequence[QuestionSpec],
        all_questions: Sequence[QuestionSpec],
        known_answers: Mapping[str, object],
        evidence_codes: set[str] | frozenset[str] = frozenset(),
        strict: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.all_questions = all_questions
        self.known_answers = dict(known_answers)
        self.evidence_codes = set(evidence_codes)
        self.strict = strict
        self.visible: set[str] = set()
        language = get_language() or "en"
        for question in self.questions:
            code = question.code
            if question.type is not QuestionType.EVIDENCE:
                self.fields[code] = AnswerValueField(
                    question=question,
                    label=translate(question.text, language),
                    widget=_value_widget(question, language),
                )
            statuses = allowed_statuses(question)
            self.fields[code + STATUS_SUFFIX] = forms.ChoiceField(
                label=_("How do you answer?"),
                choices=[(status, STATUS_LABELS[status]) for status in statuses],
                required=False,
                initial=AnswerStatus.ANSWERED.value,
                widget=forms.RadioSelect if len(statuses) > 1 else forms.HiddenInput,
            )
            self.fields[code + JUSTIFICATION_SUFFIX] = forms.CharField(
                label=_("Justification or source (optional)"),
                required=False,
                max_length=MAX_JUSTIFICATION_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self._initial_visibility()

    def _submitted(self, question: QuestionSpec) -> bool:
        """Whether the page that was posted showed this question (its status is always sent)."""
        return self.is_bound and self.add_prefix(question.code + STATUS_SUFFIX) in self.data

    def _initial_visibility(self) -> None:
        answers = dict(self.known_answers)
        if self.is_bound:
            for question in self.questions:
                if not self._submitted(question):
                    continue
                status = self.data.get(self.add_prefix(question.code + STATUS_SUFFIX))
                raw = self._raw_value(question)
                answers[question.code] = self._condition_value(question, status, raw)
        self.visible = set(expressions.visible_question_codes(self.all_questions, answers))

    def _raw_value(self, question: QuestionSpec) -> Any:
        name = self.add_prefix(question.code)
        if question.type is QuestionType.MULTIPLE_CHOICE and hasattr(self.data, "getlist"):
            return self.data.getlist(name)
        return self.data.get(name)

    @staticmethod
    def _condition_value(question: QuestionSpec, status: Any, value: Any) -> object:
        if status == AnswerStatus.DONT_KNOW:
            return Missing.DONT_KNOW
        if status == AnswerStatus.NOT_APPLICABLE:
            return Missing.NOT_APPLICABLE
        if question.type is QuestionType.EVIDENCE:
            return None
        try:
            return answer_value_clean(question, value)
        except AnswerValueError:
            return None

    def _required_message(self, question: QuestionSpec) -> str:
        if not self._submitted(question):
            return _("This question now applies because of your answers above: please answer it.")
        statuses = allowed_statuses(question)
        if AnswerStatus.DONT_KNOW in statuses and AnswerStatus.NOT_APPLICABLE in statuses:
            return _("Answer this question, or choose “Don't know” or “Not applicable”.")
        if AnswerStatus.DONT_KNOW in statuses:
            return _("Answer this question, or choose “Don't know”.")
        if AnswerStatus.NOT_APPLICABLE in statuses:
            return _("Answer this question, or choose “Not applicable”.")
        return _("This question needs an answer.")

    def _chose_a_value(self, question: QuestionSpec, status: Any, value: Any) -> bool:
        """Whether a value was chosen while "Don't know"/"Not applicable" stayed selected.

        Without JavaScript nothing switches the status when a value is picked, and the value
        would be dropped without a word. A value that differs from the saved one was chosen
        now, so it wins; the saved value still in its box when "Don't know" is chosen does not.
        """
        if status not in (AnswerStatus.DONT_KNOW, AnswerStatus.NOT_APPLICABLE) or value is None:
            return False
        saved = self.known_answers.get(question.code)
        return isinstance(saved, Missing) or saved is None or saved != value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        answers = dict(self.known_answers)
        for question in self.questions:
            if not self._submitted(question):
                continue
            name = question.code + STATUS_SUFFIX
            if self._chose_a_value(question, cleaned.get(name), cleaned.get(question.code)):
                cleaned[name] = AnswerStatus.ANSWERED.value
            status = cleaned.get(question.code + STATUS_SUFFIX)
            value = cleaned.get(question.code)
            answers[question.code] = self._condition_value(question, status, value)
        self.visible = set(expressions.visible_question_codes(self.all_questions, answers))
        for question in self.questions:
            code = question.code
            if code not in self.visible:
                # Answers to hidden questions are neither checked nor saved.
                for name in (code, code + STATUS_SUFFIX, code + JUSTIFICATION_SUFFIX):
                    self._errors.pop(name, None)
                continue
            if not self.strict or not question.required:
                continue
            if code in self._errors or code + STATUS_SUFFIX in self._errors:
                continue
            target = code if question.type is not QuestionType.EVIDENCE else code + STATUS_SUFFIX
            if not self._submitted(question):
                if self.known_answers.get(code) is None and code not in self.evidence_codes:
                    self.add_error(target, ValidationError(self._required_message(question)))
                continue
            status = cleaned.get(code + STATUS_SUFFIX) or AnswerStatus.ANSWERED
            answered = status != AnswerStatus.ANSWERED or (
                code in self.evidence_codes
                if question.type is QuestionType.EVIDENCE
                else cleaned.get(code) is not None
            )
            if not answered:
                self.add_error(target, ValidationError(self._required_message(question)))
        return cleaned

    def answer_inputs(self) -> list[AnswerInput]:
        """Answers to save: submitted, visible questions whose fields are all valid.

        Call after ``is_valid()``; invalid answers stay in the draft only.
        """
        inputs: list[AnswerInput] = []
        errors = self.errors
        for question in self.questions:
            code = question.code
            names = (code, code + STATUS_SUFFIX, code + JUSTIFICATION_SUFFIX)
            if not self._submitted(question) or code not in self.visible:
                continue
            if any(name in errors for name in names):
                continue
            status = self.cleaned_data.get(code + STATUS_SUFFIX) or AnswerStatus.ANSWERED
            inputs.append(
                AnswerInput(
                    question_code=code,
                    value=(
                        self.cleaned_data.get(code) if status == AnswerStatus.ANSWERED else None
                    ),
                    status=status,
                    justification=self.cleaned_data.get(code + JUSTIFICATION_SUFFIX, ""),
                )
            )
        return inputs

    def raw_data(self) -> dict[str, list[str]]:
        """This step's posted fields (what was typed), for the draft envelope."""
        prefix = self.add_prefix("")
        data = self.data
        if not hasattr(data, "getlist"):
            data = MultiValueDict({key: list(value) for key, value in data.items()})
        return {key: data.getlist(key) for key in data if key.startswith(prefix)}

    def blocks(self) -> list[QuestionBlock]:
        """One block per question, hidden ones marked ``visible=False``."""
        language = get_language() or "en"
        blocks = []
        for question in self.questions:
            code = question.code
            status_field = self.fields[code + STATUS_SUFFIX]
            levels = []
            if question.type is QuestionType.MATURITY:
                levels = list(
                    zip(
                        self[code].subwidgets,
                        [translate(level.descriptor, language) for level in question.levels],
                        strict=True,
                    )
                )
            blocks.append(
                QuestionBlock(
                    question=question,
                    text=translate(question.text, language),
                    help=translate(question.help, language),
                    unit=translate(question.unit, language),
                    value=self[code] if code in self.fields else None,
                    status=self[code + STATUS_SUFFIX],
                    justification=self[code + JUSTIFICATION_SUFFIX],
                    status_choices=not isinstance(status_field.widget, forms.HiddenInput),
                    levels=levels,
                    visible=code in self.visible,
                    number_example=number_example(language) if question.type.numeric else "",
                )
            )
        return blocks


def initial_for(questions: Sequence[QuestionSpec], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Form initial values from saved Answer rows."""
    initial: dict[str, Any] = {}
    for question in questions:
        answer = answers.get(question.code)
        if answer is None:
            continue
        initial[question.code] = answer.value
        initial[question.code + STATUS_SUFFIX] = answer.status
        initial[question.code + JUSTIFICATION_SUFFIX] = answer.justification
    return initial


def merged_draft(
    *,
    prefix: str,
    questions: Sequence[QuestionSpec],
    draft: Mapping[str, list[str]],
    draft_revision: int,
    answers: Mapping[str, Any],
) -> dict[str, list[str]]:
    """The draft's raw data, with answers saved by someone else since the draft replacing it.

    A question whose saved answer is newer than the draft shows the saved answer, so reopening
    a step never resurrects a value a co-editor has since replaced; so does a question the
    draft does not cover.
    """
    merged = {key: list(values) for key, values in draft.items()}
    for question in questions:
        answer = answers.get(question.code)
        base = f"{prefix}-{question.code}"
        if answer is None:
            continue
        # Questions the draft does not cover (hidden when it was saved) show their saved answer.
        if answer.revision <= draft_revision and base + STATUS_SUFFIX in merged:
            continue
        merged[base] = value_to_raw(question, answer.value)
        merged[base + STATUS_SUFFIX] = [answer.status]
        merged[base + JUSTIFICATION_SUFFIX] = [answer.justification]
    return merged


class ReviewForm(forms.Form):
    """The final step: confirm and submit."""

    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked these answers and they are ready for review."),
        required=True,
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the reviewers (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for unused in ("questions", "all_questions", "known_answers", "evidence_codes", "strict"):
            kwargs.pop(unused, None)
        super().__init__(*args, **kwargs)
