"""A scored world for report tests: two countries of the small test framework, one hostile."""

from __future__ import annotations

import io
import shutil
import subprocess

from pypdf import PdfReader

from scoring.models import ScoreRun
from scoring.services import score_cohort_create, score_run_create
from surveys.models import Answer, Assessment, AssessmentState, Evidence
from tests.factories import make_assessment
from tests.planning.helpers import load_test_catalogue
from tests.scoring.helpers import FULL_ANSWERS, add_answers

#: Markup-like and multi-script user text: must print as typed, never be parsed or crash.
HOSTILE = (
    '<font name="Courier" size="40">big</font> & <para> </b> <unclosed '
    "Привет мир · مرحبا · 中文 · 🙂 · Côte d'Ivoire"
)
EVIDENCE_LABEL = "Plan <b>national</b> & annexes"


def scored_assessment(
    country_code: str = "SEN", *, seed: int = 7, **answers_override
) -> tuple[Assessment, ScoreRun]:
    """An approved assessment with every answer, a hostile justification, evidence and a run."""
    assessment = make_assessment(country_code, state=AssessmentState.APPROVED)
    add_answers(assessment, FULL_ANSWERS | answers_override)
    Answer.objects.filter(assessment=assessment, question_code="GOV.1.a").update(
        justification=HOSTILE + "\nSecond line"
    )
    Evidence.objects.create(
        assessment=assessment,
        question_code="GOV.1.a",
        kind="url",
        url="https://example.org/plan?a=1&b=2",
        description=EVIDENCE_LABEL,
    )
    run = score_run_create(assessment=assessment, trigger="on_demand", seed=seed)
    return assessment, run


def scored_world() -> dict[str, object]:
    """Senegal and Kenya scored, a cohort run with ranks, and the test catalogue."""
    load_test_catalogue()
    senegal, senegal_run = scored_assessment("SEN")
    kenya, kenya_run = scored_assessment("KEN", seed=8, **{"NET.1.a": 90, "GOV.2.c": "yes"})
    cohort = score_cohort_create(
        framework=senegal.framework, round=2026, assessments=[kenya, senegal], seed=3, samples=200
    )
    return {
        "senegal": senegal,
        "senegal_run": senegal_run,
        "kenya": kenya,
        "kenya_run": kenya_run,
        "cohort": cohort,
    }


def pdf_text(pdf: bytes) -> str:
    """The text of every page, with pdftotext when installed (better spacing), else pypdf."""
    executable = shutil.which("pdftotext")
    if executable:
        result = subprocess.run(
            [executable, "-layout", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        )
        return result.stdout.decode("utf-8")
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def squeeze(text: str) -> str:
    """Whitespace collapsed to single spaces (tables and wrapping insert their own)."""
    return " ".join(text.split())
