"""manage.py score_cohort --round 2026: score a round's assessments together (ranks, intervals)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.services import ScoringError, cohort_assessments, score_cohort_create
from surveys.models import AssessmentState, Framework, FrameworkStatus


class Command(BaseCommand):
    help = (
        "Score every assessment of a round together, with Monte Carlo uncertainty: medians, "
        "5–95 % intervals of scores and ranks, and the probability that one country scores "
        "above another. The regional dashboard and report read the latest such run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, required=True, help="Round (year), e.g. 2026.")
        parser.add_argument("--framework", default="dcna", help="Framework code (default dcna).")
        parser.add_argument(
            "--framework-version", help="Framework version (default: latest published)."
        )
        parser.add_argument(
            "--states",
            default=AssessmentState.APPROVED,
            help="Comma-separated assessment states to include (default: approved).",
        )
        parser.add_argument("--samples", type=int, default=10_000, help="Monte Carlo samples.")
        parser.add_argument("--seed", type=int, help="Seed (stored with the run).")

    def handle(self, *args: Any, **options: Any) -> None:
        frameworks = Framework.objects.filter(
            code=options["framework"], status=FrameworkStatus.PUBLISHED
        )
        if options["framework_version"]:
            frameworks = frameworks.filter(version=options["framework_version"])
        framework = frameworks.order_by("-published_at", "-version").first()
        if framework is None:
            raise CommandError(f"No published framework {options['framework']!r} found.")
        states = [state.strip() for state in options["states"].split(",") if state.strip()]
        unknown = sorted(set(states) - set(AssessmentState.values))
        if unknown:
            raise CommandError(
                f"Unknown state(s) {', '.join(unknown)}; use {', '.join(AssessmentState.values)}."
            )
        if options["samples"] < 100:
            raise CommandError("--samples must be at least 100.")
        assessments = cohort_assessments(framework=framework, round=options["round"], states=states)
        if len(assessments) < 2:
            raise CommandError(
                f"A cohort needs at least two assessments; round {options['round']} has "
                f"{len(assessments)} in state(s) {', '.join(states)}."
            )
        try:
            run = score_cohort_create(
                framework=framework,
                round=options["round"],
                assessments=assessments,
                samples=options["samples"],
                seed=options["seed"],
            )
        except ScoringError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Scored {len(assessments)} assessments of round {options['round']} together "
                f"(score run {run.pk}, seed {run.seed})."
            )
        )
