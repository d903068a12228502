"""A scored world for report tests: two countries of the small test framework, one hostile."""

from __future__ import annotations

import io
import re
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


#: The dot leaders and page number that end a line of the table of contents.
LEADERS = re.compile(r"\.(?:\s+\.)+\s+(\d+)")


def contents_page_numbers(pdf: bytes) -> list[tuple[str, int]]:
    """The table of contents as printed: (entry text, page number) for each line with dots.

    Lines are found by their baseline (pypdf reports each piece of text with its position), so
    the entry and the dots-and-number drawn after it are paired whatever order the page's
    content stream holds them in. The contents start on page 2 and end at the first page
    without dot leaders.
    """
    reader = PdfReader(io.BytesIO(pdf))
    entries: list[tuple[str, int]] = []
    for page in reader.pages[1:]:
        lines: dict[float, list[str]] = {}

        def visit(
            text: str, cm: list[float], tm: list[float], *_args: object, lines: dict = lines
        ) -> None:
            if text.strip():
                # Baseline in page space (the reports translate, never rotate or skew).
                lines.setdefault(round(tm[5] * cm[3] + cm[5], 1), []).append(text.strip())

        page.extract_text(visitor_text=visit)
        found = []
        for baseline in sorted(lines, reverse=True):
            line = " ".join(lines[baseline])
            leaders = LEADERS.search(line)
            if leaders:
                words = " ".join((line[: leaders.start()] + line[leaders.end() :]).split())
                found.append((words, int(leaders.group(1))))
        if not found:
            break
        entries += found
    return entries


def outline_pages(pdf: bytes) -> list[tuple[str, int]]:
    """Each bookmark of the PDF's outline, in order: (title, page number it opens)."""
    reader = PdfReader(io.BytesIO(pdf))
    numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, start=1)}

    def flat(items: list) -> list[tuple[str, int]]:
        found = []
        for item in items:
            if isinstance(item, list):
                found += flat(item)
            else:
                found.append((item.title, numbers[item.raw_get("/Page").idnum]))
        return found

    return flat(reader.outline)
