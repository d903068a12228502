"""Demo data: users for every role and several countries with assessments in varied states.

Everything is written through the same services users go through (answers_save,
assessment_transition, stakeholder and query services), so the demo also exercises scoring
on submit and approval, the audit trail and notifications. Answers are generated from the
framework with a seeded generator per country, so repeated runs produce the same platform.
"""

from __future__ import annotations

import datetime
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from surveys.frameworks import expressions
from surveys.frameworks.spec import FrameworkSpec, Missing, QuestionSpec, QuestionType
from surveys.models import (
    AnswerStatus,
    Assessment,
    AssessmentState,
    Country,
    Framework,
    FrameworkStatus,
    Role,
    RoleAssignment,
    StakeholderInvitation,
)
from surveys.services.answers import AnswerInput, answers_save, framework_spec
from surveys.services.rounds import assessment_create
from surveys.services.workflow import assessment_transition

DEMO_PASSWORD = "demo-capacity-2026"  # noqa: S105 - printed for local demo users only  # nosec B105
DEFAULT_FRAMEWORK_FILE = Path(settings.BASE_DIR) / "frameworks" / "dcna-2026.yaml"


@dataclass(frozen=True)
class DemoCountry:
    alpha3: str
    capacity: float  # 0–1: how far along the country is, drives generated answers
    states_by_round: tuple[tuple[int, str], ...]
    answered_share: float = 1.0


DEMO_COUNTRIES = (
    DemoCountry("SEN", 0.55, ((2025, "approved"), (2026, "approved"))),
    DemoCountry("KEN", 0.62, ((2025, "approved"), (2026, "in_review"))),
    DemoCountry("RWA", 0.58, ((2026, "submitted"),)),
    DemoCountry("COL", 0.66, ((2026, "returned"),)),
    DemoCountry("JOR", 0.60, ((2026, "draft"),), answered_share=0.6),
    DemoCountry("VNM", 0.70, ((2026, "approved"),)),
    DemoCountry("KGZ", 0.45, ((2026, "in_review"),)),
    DemoCountry("ALB", 0.63, ((2026, "draft"),)),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    country: str


def _user(username: str, *, first_name: str, last_name: str, **extra: Any) -> AbstractBaseUser:
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            email=f"{username}@demo.invalid",
            first_name=first_name,
            last_name=last_name,
            **extra,
        )
    return user


def _grant(user: AbstractBaseUser, role: str, country: Country | None = None) -> None:
    RoleAssignment.objects.get_or_create(user=user, role=role, country=country)


def demo_framework() -> Framework:
    """The published default framework, loaded from its file when missing."""
    framework = (
        Framework.objects.filter(code="dcna", status=FrameworkStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )
    if framework is not None:
        return framework
    from surveys.frameworks.loader import load_framework_file
    from surveys.frameworks.persistence import framework_load

    return framework_load(load_framework_file(DEFAULT_FRAMEWORK_FILE), publish=True).framework


def _rng(*parts: object) -> np.random.Generator:
    seed = zlib.crc32("/".join(str(p) for p in parts).encode())
    return np.random.default_rng(seed)


def _value_for(question: QuestionSpec, level: float, rng: np.random.Generator) -> Any:
    """A plausible answer for a country at ``level`` (0–1) of capacity."""
    share = float(np.clip(level + rng.normal(0, 0.15), 0.0, 1.0))
    if question.type is QuestionType.MATURITY:
        values = sorted(lv.value for lv in question.levels)
        return values[round(share * (len(values) - 1))]
    if question.type in (QuestionType.YES_PARTIAL_NO, QuestionType.SINGLE_CHOICE):
        ordered = sorted(question.choices, key=lambda choice: choice.points)
        return ordered[round(share * (len(ordered) - 1))].code
    if question.type is QuestionType.MULTIPLE_CHOICE:
        chosen = [c.code for c in question.choices if rng.random() < share]
        return chosen or [question.choices[0].code]
    if question.type in (QuestionType.NUMBER, QuestionType.PERCENTAGE):
        return _number_for(question, share)
    if question.type is QuestionType.TEXT:
        return "Summary prepared with the ministry in charge of digital affairs."
    if question.type is QuestionType.DATE:
        return (datetime.date(2020, 1, 1) + datetime.timedelta(days=int(share * 1800))).isoformat()
    return None


def _number_for(question: QuestionSpec, share: float) -> float:
    normalisation = question.normalisation
    low = question.minimum if question.minimum is not None else 0.0
    high = question.maximum if question.maximum is not None else 100.0
    if normalisation is not None and normalisation.lower is not None:
        lower, upper = normalisation.lower, normalisation.upper or normalisation.lower
        if normalisation.direction == "lower_is_better":
            share = 1.0 - share
        if normalisation.transform in ("ln", "ln1p"):
            shift = 1.0 if normalisation.transform == "ln1p" else 0.0
            start, end = np.log(max(lower + shift, 1e-6)), np.log(upper + shift)
            value = float(np.exp(start + share * (end - start)) - shift)
        else:
            value = lower + share * (upper - lower)
    else:
        value = low + share * (high - low)
    value = float(np.clip(value, low, high if question.maximum is not None else value))
    return round(value, 1)


def generated_answers(
    spec: FrameworkSpec, alpha3: str, capacity: float, round_: int, answered_share: float = 1.0
) -> list[AnswerInput]:
    """Answers for every question shown, in questionnaire order (show_if respected)."""
    rng = _rng(alpha3, round_)
    # The earlier round is a little behind: trend charts then show progress.
    level = capacity - (0.05 * (2026 - round_))
    answers: list[AnswerInput] = []
    condition_values: dict[str, object] = {}
    for question in spec.questions:
        if question.type is QuestionType.EVIDENCE:
            continue
        if question.show_if and not expressions.evaluate(
            expressions.parse(question.show_if), condition_values
        ):
            continue
        if rng.random() > answered_share:
            continue
        roll = rng.random()
        if question.allow_dont_know and roll < 0.04:
            answers.append(AnswerInput(question.code, None, AnswerStatus.DONT_KNOW))
            condition_values[question.code] = Missing.DONT_KNOW
            continue
        if question.allow_not_applicable and roll > 0.985:
            answers.append(AnswerInput(question.code, None, AnswerStatus.NOT_APPLICABLE))
            condition_values[question.code] = Missing.NOT_APPLICABLE
            continue
        value = _value_for(question, level, rng)
        if value is None:
            continue
        justification = (
            "Source: national ICT regulator annual report."
            if question.type in (QuestionType.NUMBER, QuestionType.PERCENTAGE)
            else ""
        )
        answers.append(AnswerInput(question.code, value, AnswerStatus.ANSWERED, justification))
        condition_values[question.code] = value
    return answers


# The workflow path from draft to each target state.
_PATHS = {
    AssessmentState.DRAFT: [],
    AssessmentState.SUBMITTED: [("submit", "focal")],
    AssessmentState.IN_REVIEW: [("submit", "focal"), ("start_review", "reviewer")],
    AssessmentState.RETURNED: [
        ("submit", "focal"),
        ("start_review", "reviewer"),
        ("query", "reviewer"),
        ("return", "reviewer"),
    ],
    AssessmentState.APPROVED: [
        ("submit", "focal"),
        ("start_review", "reviewer"),
        ("approve", "reviewer"),
    ],
}


def _seed_assessment(
    *,
    framework: Framework,
    demo: DemoCountry,
    round_: int,
    state: str,
    focal: AbstractBaseUser,
    reviewer: AbstractBaseUser,
    previous: Assessment | None,
) -> Assessment:
    country = Country.objects.get(alpha3=demo.alpha3)
    existing = Assessment.objects.filter(country=country, framework=framework, round=round_).first()
    if existing is not None:
        return existing
    spec = framework.spec
    with transaction.atomic():
        assessment = assessment_create(
            country=country, framework=framework, round=round_, actor=focal, previous=previous
        )
        answers = generated_answers(spec, demo.alpha3, demo.capacity, round_, demo.answered_share)
        assessment.refresh_from_db()
        answers_save(
            assessment=assessment,
            actor=focal,
            answers=answers,
            base_revision=assessment.revision,
        )
    if demo.alpha3 == "SEN" and round_ == 2026:
        _seed_stakeholders(assessment, focal, spec)
    actors = {"focal": focal, "reviewer": reviewer}
    for action, who in _PATHS[AssessmentState(state)]:
        if action == "query":
            from surveys.services.review import query_open

            query_open(
                assessment=assessment,
                question_code=spec.questions[0].code,
                actor=reviewer,
                text="Please attach the strategy document that supports this level.",
            )
            continue
        assessment = assessment_transition(
            assessment=assessment,
            action=action,
            actor=actors[who],
            message="Reviewed with the country office." if action == "approve" else "",
        )
    return assessment


def _seed_stakeholders(
    assessment: Assessment, focal: AbstractBaseUser, spec: FrameworkSpec
) -> None:
    from surveys.services.stakeholders import stakeholder_answers_save, stakeholder_invite

    pillars = [pillar.code for pillar in spec.pillars[:2]]
    people = [
        ("Aminata Diallo", "ministry", 0.0),
        ("Moussa Ndiaye", "regulator", 0.08),
        ("Fatou Sarr", "academia", -0.08),
    ]
    for index, (name, organisation_type, offset) in enumerate(people):
        created = stakeholder_invite(
            assessment=assessment,
            actor=focal,
            name=name,
            email=f"stakeholder{index + 1}@demo.invalid",
            organisation_type=organisation_type,
            pillars=pillars,
            send=False,
        )
        invitation = created.invitation
        questions = {q.code for p in spec.pillars[:2] for q in p.questions}
        answers = [
            answer
            for answer in generated_answers(spec, f"SEN-{index}", 0.55 + offset, 2026)
            if answer.question_code in questions
        ]
        stakeholder_answers_save(invitation=invitation, answers=answers)


def seed_demo() -> list[DemoLogin]:
    """Create the demo platform (idempotent) and return the logins to print."""
    framework = demo_framework()
    logins: list[DemoLogin] = []
    admin = _user("admin", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)
    _grant(admin, Role.ADMINISTRATOR)
    logins.append(DemoLogin("admin", "Administrator", "all"))
    planner = _user("planner", first_name="Paul", last_name="Planner")
    _grant(planner, Role.PLANNER)
    logins.append(DemoLogin("planner", "Planner", "all"))
    for demo in DEMO_COUNTRIES:
        country = Country.objects.get(alpha3=demo.alpha3)
        code = demo.alpha3.lower()
        focal = _user(f"focal.{code}", first_name="Focal", last_name=f"Point {demo.alpha3}")
        _grant(focal, Role.FOCAL_POINT, country)
        reviewer = _user(
            f"reviewer.{code}", first_name="Country", last_name=f"Office {demo.alpha3}"
        )
        _grant(reviewer, Role.REVIEWER, country)
        logins.append(DemoLogin(focal.get_username(), "National focal point", country.name))
        logins.append(DemoLogin(reviewer.get_username(), "Country-office reviewer", country.name))
        previous = None
        for round_, state in demo.states_by_round:
            previous = _seed_assessment(
                framework=framework,
                demo=demo,
                round_=round_,
                state=state,
                focal=focal,
                reviewer=reviewer,
                previous=previous,
            )
    _seed_cohort(framework)
    return logins


def _seed_cohort(framework: Framework) -> None:
    """Score the 2026 round together once, so dashboards show ranks and their intervals."""
    from scoring.models import ScoreRun
    from scoring.services import cohort_assessments, score_cohort_create

    if ScoreRun.objects.filter(framework=framework, kind="cohort").exists():
        return
    scored_states = [s for s in AssessmentState.values if s != AssessmentState.DRAFT]
    assessments = cohort_assessments(framework=framework, round=2026, states=scored_states)
    if len(assessments) >= 2:
        score_cohort_create(framework=framework, round=2026, assessments=assessments, seed=2026)


DEMO_LINK_COUNTRY = "JOR"  # its 2026 assessment is a draft: the stakeholder's answers count
DEMO_LINK_EMAIL = "stakeholder.link@demo.invalid"


def demo_stakeholder_link(*, base_url: str) -> str:
    """A fresh personal link to the demo's draft assessment, for ``make run`` to print.

    Tokens are stored only as hashes, so a link cannot be printed again: each call withdraws
    the previous demo link and issues a new one (e-mailed like any invitation).
    """
    from surveys.services.stakeholders import stakeholder_invite, stakeholder_revoke

    assessment = Assessment.objects.select_related("framework").get(
        country__alpha3=DEMO_LINK_COUNTRY, round=2026
    )
    focal = get_user_model().objects.get(username=f"focal.{DEMO_LINK_COUNTRY.lower()}")
    for earlier in StakeholderInvitation.objects.filter(
        assessment=assessment, email=DEMO_LINK_EMAIL, revoked_at__isnull=True
    ):
        stakeholder_revoke(invitation=earlier, actor=focal)
    spec = framework_spec(assessment.framework)
    created = stakeholder_invite(
        assessment=assessment,
        actor=focal,
        name="Layla Haddad",
        email=DEMO_LINK_EMAIL,
        organisation="Demo university",
        organisation_type="academia",
        pillars=[spec.pillars[0].code],
        base_url=base_url,
    )
    return created.link
