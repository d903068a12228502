"""manage.py import_answers FILE --country SEN --round 2026: import one assessment's answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange.commands import report
from exchange.imports import answers_import
from exchange.reading import ENCODINGS, ImportFileError
from surveys.models import Assessment
from surveys.services.answers import AssessmentLocked, RevisionConflict


class Command(BaseCommand):
    help = (
        "Import an assessment's answers from a CSV or XLSX file: every row is checked first, "
        "then everything is written in one transaction, or nothing. Use --dry-run to see the "
        "changes without writing them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        where = parser.add_argument_group("which assessment")
        where.add_argument("--assessment", type=int, help="Assessment id.")
        where.add_argument("--country", help="ISO alpha-3 code (with --round).")
        where.add_argument("--round", type=int)
        where.add_argument("--framework", default="", help="Framework code, when several.")
        parser.add_argument("--user", help="Username recorded in the audit trail.")
        parser.add_argument("--encoding", choices=ENCODINGS, default="")
        parser.add_argument("--dry-run", action="store_true")

    def _assessment(self, options: dict[str, Any]) -> Assessment:
        assessments = Assessment.objects.select_related("framework", "country")
        if options["assessment"]:
            assessments = assessments.filter(pk=options["assessment"])
        elif options["country"] and options["round"]:
            assessments = assessments.filter(
                country__alpha3=options["country"].upper(), round=options["round"]
            )
            if options["framework"]:
                assessments = assessments.filter(framework__code=options["framework"])
        else:
            raise CommandError("give --assessment, or --country and --round")
        found = list(assessments[:2])
        if len(found) != 1:
            raise CommandError(
                "no such assessment" if not found else "several assessments match: add --framework"
            )
        return found[0]

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        assessment = self._assessment(options)
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        try:
            with path.open("rb") as handle:
                result = answers_import(
                    assessment=assessment,
                    actor=actor,
                    source=handle,
                    name=path.name,
                    size=path.stat().st_size,
                    encoding=options["encoding"],
                    dry_run=options["dry_run"],
                )
        except (ImportFileError, AssessmentLocked, RevisionConflict) as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(f"{assessment} ({assessment.framework}):")
        report(result, self.stdout, self.style)
