"""manage.py generate_reports --round 2026 [--lang fr] --out DIR: every country's report as PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charts.texts import report_languages
from reports.data import DEFAULT_BUDGET, ReportError
from reports.services import reports_generate


class Command(BaseCommand):
    help = (
        "Write the country report (PDF) of every country with scores in a round into a "
        "directory, one file per country named ALPHA3-ROUND-LANG.pdf, rendering on all CPU "
        "cores. The same data always gives byte-identical files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, required=True, help="Assessment round, e.g. 2026.")
        parser.add_argument(
            "--lang", default="en", choices=report_languages(), help="Report language."
        )
        parser.add_argument("--out", required=True, type=Path, help="Output directory.")
        parser.add_argument(
            "--workers", type=int, default=None, help="Rendering processes (default: CPU cores)."
        )
        parser.add_argument(
            "--country",
            action="append",
            default=None,
            metavar="ALPHA3",
            help="Only this country (repeat for several).",
        )
        parser.add_argument(
            "--budget",
            type=float,
            default=DEFAULT_BUDGET,
            help="Budget in USD of each country's recommended portfolio.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers must be 1 or more.")
        if options["budget"] < 0:
            raise CommandError("--budget must be zero or more.")
        try:
            result = reports_generate(
                round=options["round"],
                language=options["lang"],
                out_dir=options["out"],
                workers=options["workers"],
                countries=options["country"],
                budget=options["budget"],
                progress=not options["no_progress"] and options["verbosity"] > 0,
            )
        except ReportError as error:
            raise CommandError(str(error)) from error
        for alpha3, reason in result.skipped:
            self.stderr.write(f"{alpha3}: skipped: {reason}")
        if not result.written and not result.skipped:
            self.stderr.write(f"No country has scores for round {options['round']}.")
        self.stdout.write(
            f"{len(result.written)} reports written to {options['out']} in "
            f"{result.seconds:.1f} s with {result.workers} worker(s)."
        )
